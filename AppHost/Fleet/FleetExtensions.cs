using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using WedSync.AppHost.Postgres;

namespace WedSync.AppHost.Fleet;

/// <summary>The deployment's topology on request (<see cref="FleetSettings"/>): API replicas and a PgBouncer in front of PostgreSQL.</summary>
public static class FleetExtensions
{
    public const string PoolerName = "pgbouncer";

    /// <summary>The API's own name for the server without the pooler: sessions that must stay one session (monitoring).</summary>
    public const string DirectConnectionName = "wedsync-direct";

    private static readonly string[] BinaryCandidates = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer", "/opt/homebrew/bin/pgbouncer"];

    /// <summary>
    /// The database the API connects to: a local PgBouncer in front of <paramref name="database"/> when
    /// <c>WedSync:Fleet:PgBouncer</c> is true and the AppHost runs (a deployment brings its own pooler, as Azure's
    /// flexible server does), otherwise the database itself.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddWedSyncPooler(
        this IDistributedApplicationBuilder builder, IResourceBuilder<IResourceWithConnectionString> database, FleetSettings fleet)
    {
        if (!fleet.PgBouncer || builder.ExecutionContext.IsPublishMode)
        {
            return database;
        }

        var password = database.Resource switch
        {
            LocalPostgresDatabaseResource local => local.Parent.Password,
            PostgresDatabaseResource container => container.Parent.PasswordParameter,
            _ => throw new DistributedApplicationException($"{FleetSettings.SectionName}:PgBouncer needs the AppHost's own PostgreSQL (Postgres:Mode local or container)."),
        };
        var databaseName = database.Resource switch
        {
            LocalPostgresDatabaseResource local => local.DatabaseName,
            PostgresDatabaseResource container => container.DatabaseName,
            _ => database.Resource.Name,
        };
        var binary = fleet.PgBouncerPath ?? BinaryCandidates.FirstOrDefault(File.Exists)
            ?? throw new DistributedApplicationException("WedSync:Fleet:PgBouncer=true needs pgbouncer: apt-get install pgbouncer (or brew install pgbouncer), or set WedSync:Fleet:PgBouncerPath.");

        // Its configuration is written at each start (the server's port changes); readable by the postgres account
        // PgBouncer runs as under a root AppHost, since PgBouncer refuses to run as root.
        var directory = Path.Combine(Path.GetTempPath(), "wedsync-pgbouncer", Guid.NewGuid().ToString("N"));
        var (command, prefix) = OsUser.IsRoot
            ? ("setpriv", new[] { $"--reuid={OsUser.PostgresAccount}", $"--regid={OsUser.PostgresAccount}", "--init-groups", "--", binary })
            : (binary, Array.Empty<string>());
        var pooler = new LocalPgBouncerResource(PoolerName, command, Path.GetTempPath(), databaseName, password);
        var healthKey = $"{PoolerName}_ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthKey, _ => new PostgresReadyHealthCheck(pooler), failureStatus: null, tags: null));

        var port = FreeLoopbackPort();
        var poolerBuilder = builder.AddResource(pooler)
            // PgBouncer reads its port from the ini only, which the AppHost's port placeholders never reach: a free port, unproxied.
            .WithEndpoint(name: LocalPgBouncerResource.EndpointName, scheme: "tcp", port: port, targetPort: port, isProxied: false)
            .WithArgs(prefix)
            .WithArgs(async context =>
            {
                var target = new NpgsqlConnectionStringBuilder(await database.Resource.ConnectionStringExpression.GetValueAsync(context.CancellationToken));
                context.Args.Add(await WriteConfigurationAsync(directory, target, port, context.CancellationToken));
            })
            .WithHealthCheck(healthKey)
            .WithParentRelationship(database)
            .WaitFor(database)
            .WithIconName("ArrowSplit")
            .ExcludeFromManifest();
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(poolerBuilder.Resource);
    }

    /// <summary>
    /// The API's database through <paramref name="pooled"/> (the pooler or the server) as <c>wedsync</c>, and behind a
    /// pooler also the server itself as <see cref="DirectConnectionName"/>; with more than one replica, that many APIs.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFleet(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<IResourceWithConnectionString> database,
        IResourceBuilder<IResourceWithConnectionString> pooled, FleetSettings fleet)
    {
        api.WithReference(pooled, connectionName: "wedsync");
        if (!ReferenceEquals(pooled.Resource, database.Resource))
        {
            // Monitoring keeps sessions open for incidents and listens for events: a transaction pooler keeps neither.
            api.WithEnvironment($"ConnectionStrings__{DirectConnectionName}", database)
                .WaitFor(pooled);
        }

        return fleet.ApiReplicas > 1 ? api.WithReplicas(fleet.ApiReplicas) : api;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> WriteConfigurationAsync(string directory, NpgsqlConnectionStringBuilder target, int port, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var users = Path.Combine(directory, "users.txt");
        var ini = Path.Combine(directory, "pgbouncer.ini");
        await File.WriteAllTextAsync(users, $"\"{target.Username}\" \"{target.Password}\"\n", ct);
        await File.WriteAllTextAsync(ini, $"""
            [databases]
            {target.Database} = host={target.Host} port={target.Port} dbname={target.Database} user={target.Username} password={target.Password}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = {users}
            admin_users = {target.Username}
            pool_mode = transaction
            default_pool_size = 20
            max_client_conn = 1000
            ; Npgsql sends these at startup; the API's -c jit=off travels in options, which PgBouncer cannot pass on.
            ignore_startup_parameters = extra_float_digits,options
            """, ct);
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(directory, Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(users, Readable);
            File.SetUnixFileMode(ini, Readable);
        }

        return ini;
    }
}
