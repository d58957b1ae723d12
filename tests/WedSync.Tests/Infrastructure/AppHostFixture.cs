using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using WedSync.Tests.Contract;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// Starts the whole distributed application once for a test collection: a local PostgreSQL in a
/// data folder of its own, the migrator, and the API, and waits until the API is healthy.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The value of the AppHost's secret parameter <c>jwt-signing-key</c> in tests, so they can mint
    /// tokens the API accepts (and, with another key, tokens it must refuse).
    /// </summary>
    public const string JwtSigningKey = "wedsync-tests-jwt-signing-key-0123456789abcdefghij";

    /// <summary>Requests per minute per user in tests: above what any test sends, except the one that hits it.</summary>
    public const int ApiPermitsPerMinute = 200;

    /// <summary>The API's monitoring sampler interval in tests (the default is 15 s).</summary>
    public static readonly TimeSpan SamplerInterval = TimeSpan.FromSeconds(2);

    /// <summary>When the API names a prepared transaction an orphan in tests (the default is 5 min).</summary>
    public static readonly TimeSpan PreparedTransactionOrphanAge = TimeSpan.FromSeconds(3);

    public DistributedApplication App { get; private set; } = null!;

    // One application for every collection of this fixture type (apphost and its parallel siblings), released by the last.
    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static (DistributedApplication App, string DataPath)? shared;
    private static int sharedLeases;
    private bool leased;

    public string DataPath { get; private set; } = Path.Combine(Path.GetTempPath(), "wedsync-tests", Guid.NewGuid().ToString("N"));

    public string DatabaseConnectionString { get; private set; } = "";

    /// <summary>The API, every answer checked against its OpenAPI document (<see cref="ApiClients"/>); redirects are not followed.</summary>
    public HttpClient Api { get; private set; } = null!;

    protected virtual string[] Arguments =>
        [$"Postgres:Mode=local", $"Postgres:DataPath={DataPath}", $"Parameters:jwt-signing-key={JwtSigningKey}"];

    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    protected virtual bool WaitForApi => true;

    /// <summary>The plain fixture shares one application across collections; a subclass (other settings) starts its own.</summary>
    private bool IsShared => GetType() == typeof(AppHostFixture);

    public async Task InitializeAsync()
    {
        if (IsShared)
        {
            await SharedGate.WaitAsync();
            try
            {
                if (shared is null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(DataPath)!);
                    shared = (await StartAsync(Arguments, Configure, WaitForApi), DataPath);
                }

                sharedLeases++;
                leased = true;
                (App, DataPath) = shared.Value;
            }
            finally
            {
                SharedGate.Release();
            }
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(DataPath)!);
            App = await StartAsync(Arguments, Configure, WaitForApi);
        }

        DatabaseConnectionString = await App.GetConnectionStringAsync("wedsync") ?? throw new InvalidOperationException("no connection string");
        if (WaitForApi)
        {
            using var discovered = App.CreateHttpClient("api");
            Api = ApiClients.Create(discovered.BaseAddress!);
        }
    }

    public static async Task<DistributedApplication> StartAsync(
        string[] arguments, Action<IDistributedApplicationTestingBuilder>? configure = null, bool waitForApi = true)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(arguments)
            .WaitAsync(StartTimeout);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));
        var api = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api");
        api.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
        {
            env["RateLimiting__PermitsPerMinute"] = ApiPermitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Monitoring tests wait for the sampler to notice a change; 15 s per tick would make them slow.
            env["Monitoring__SampleInterval"] = SamplerInterval.ToString();
            // A test's prepared transaction becomes an orphan in seconds, not the default 5 minutes.
            env["Monitoring__PreparedTransactionOrphanAge"] = PreparedTransactionOrphanAge.ToString();
            // Tests speak for many clients from one address: the test process is the API's trusted proxy
            // (loopback), and X-Forwarded-For names each scenario's client, so per-IP rules (referrals
            // per IP per day) count one test's requests only. Anyone else's X-Forwarded-For is ignored.
            env["Api__ForwardedHeaders__KnownNetworks__0"] = "127.0.0.0/8";
            env["Api__ForwardedHeaders__KnownNetworks__1"] = "::1/128";
            // Webhook receivers in tests are loopback listeners; production refuses internal addresses.
            env["Webhooks__AllowPrivateTargets"] = "true";
            // Reward tests move a hold's end into the past and wait for the sweep; billing is asked again after seconds.
            env["Referrals__RewardSweepInterval"] = "00:00:01";
            env["Referrals__FulfilmentResendAfter"] = "00:00:03";
        }));
        configure?.Invoke(builder);

        var app = await builder.BuildAsync().WaitAsync(StartTimeout);
        try
        {
            await app.StartAsync().WaitAsync(StartTimeout);
            await app.ResourceNotifications.WaitForResourceAsync("migrations", KnownResourceStates.TerminalStates).WaitAsync(StartTimeout);
            if (waitForApi)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync("api").WaitAsync(StartTimeout);
            }
        }
        catch (TimeoutException)
        {
            var report = await ResourceDiagnostics.DescribeAsync(app, "postgres", "wedsync", "migrations", "api");
            await app.DisposeAsync();
            throw new TimeoutException($"The distributed application did not come up:\n{report}");
        }

        return app;
    }

    public NpgsqlConnection OpenDatabase()
    {
        var connection = new NpgsqlConnection(DatabaseConnectionString);
        connection.Open();
        return connection;
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (leased)
        {
            leased = false;
            await SharedGate.WaitAsync();
            try
            {
                if (--sharedLeases > 0)
                {
                    return;
                }

                shared = null;
            }
            finally
            {
                SharedGate.Release();
            }
        }

        if (App is not null)
        {
            await App.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await App.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        TryDelete(DataPath);
    }

    public static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; a failing clean-up must not fail the suite.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "apphost";
}

/// <summary>
/// The same application as <see cref="AppHostCollection"/>, for test classes that touch only state of
/// their own (a database, a server, a process, data of their own tenant): they run beside that collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AppHostParallelCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "apphost-parallel";
}

/// <summary>
/// The same application again, a third line beside the two: for tests that start API processes of their own
/// on databases of their own, or that call the shared API only as users of their own (each user has its own rate limit).
/// </summary>
[CollectionDefinition(Name)]
public sealed class AppHostOwnApiCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "apphost-own-api";
}

/// <summary>
/// The shared application while no other test runs (xUnit runs this collection after the parallel ones): for
/// tests whose subject finds "the" running AppHost by itself, as the aspire CLI does, and would meet another test's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostAloneCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "apphost-alone";
}
