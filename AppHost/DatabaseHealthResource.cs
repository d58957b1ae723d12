using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WedSync.AppHost;

/// <summary>The database's health score and advisor errors as a resource of its own, shown under the database.</summary>
public sealed class DatabaseHealthResource(string name) : Resource(name);

/// <summary>
/// Adds <c>wedsync-health</c>, a child of the database whose state is the API's health score and advisor verdict
/// (read as a platform admin every <see cref="Interval"/> once the API is healthy), with links to the console pages
/// that explain them. The dashboard's resource list then says how the database is, not only that it runs.
/// </summary>
public static class DatabaseHealthExtensions
{
    public const string ResourceName = "wedsync-health";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    public static IResourceBuilder<DatabaseHealthResource> AddDatabaseHealth(
        this IDistributedApplicationBuilder builder, IResourceBuilder<IResourceWithConnectionString> database,
        IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> signingKey)
    {
        var health = builder.AddResource(new DatabaseHealthResource(ResourceName))
            .WithParentRelationship(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Database health",
                State = new ResourceStateSnapshot("Waiting for api", KnownResourceStateStyles.Info),
                Properties = [],
            })
            .ExcludeFromManifest();

        builder.Eventing.Subscribe<ResourceReadyEvent>(api.Resource, (@event, cancellationToken) =>
        {
            var stopping = @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseHealthExtensions));
            // Runs beside the application until it stops; the first await hands the event back at once.
            _ = WatchAsync(health.Resource, api.Resource, signingKey.Resource, notifications, logger, stopping);
            return System.Threading.Tasks.Task.CompletedTask;
        });
        return health;
    }

    private static async System.Threading.Tasks.Task WatchAsync(
        DatabaseHealthResource health, ProjectResource api, ParameterResource signingKey,
        ResourceNotificationService notifications, ILogger logger, CancellationToken ct)
    {
        await System.Threading.Tasks.Task.Yield();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var endpoint = api.GetEndpoint("http");
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var baseUrl = endpoint.Url.TrimEnd('/');
                var token = Token(await signingKey.GetValueAsync(ct) ?? "");
                var summary = await GetAsync(http, $"{baseUrl}/api/monitoring/summary", token, ct);
                var advisor = await GetAsync(http, $"{baseUrl}/api/monitoring/advisor", token, ct);
                var score = summary.GetProperty("healthScore").GetInt32();
                var status = summary.GetProperty("status").GetString() ?? "";
                var errors = advisor.GetProperty("counts").GetProperty("errors").GetInt32();
                var style = errors > 0 || score < 50 ? KnownResourceStateStyles.Error
                    : score < 80 ? KnownResourceStateStyles.Warn : KnownResourceStateStyles.Success;
                await notifications.PublishUpdateAsync(health, s => s with
                {
                    State = new ResourceStateSnapshot($"{status} ({score}/100){(errors > 0 ? $", {errors} advisor errors" : "")}", style),
                    Properties =
                    [
                        new ResourcePropertySnapshot("health.score", score),
                        new ResourcePropertySnapshot("health.status", status),
                        new ResourcePropertySnapshot("advisor.errors", errors),
                    ],
                    Urls =
                    [
                        new UrlSnapshot("Overview", $"{baseUrl}/console", IsInternal: false),
                        new UrlSnapshot("Advisor", $"{baseUrl}/console/advisor", IsInternal: false),
                    ],
                });
            }
            catch (Exception exception) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Reading the database health from the api failed; trying again in {Interval}", Interval);
                await notifications.PublishUpdateAsync(health, s => s with
                {
                    State = new ResourceStateSnapshot("Unknown: the api did not answer", KnownResourceStateStyles.Warn),
                });
            }

            try
            {
                await System.Threading.Tasks.Task.Delay(Interval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async System.Threading.Tasks.Task<JsonElement> GetAsync(HttpClient http, string url, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return document.RootElement.Clone();
    }

    // A platform admin of its own (HS256, the API's issuer and audience), five minutes long, minted for each read.
    private static string Token(string key)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray());
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = "00000000-0000-4000-8000-0000000a9057",
            ["roles"] = new[] { "platform_admin" },
            ["iss"] = "https://wedsync.local",
            ["aud"] = "wedsync-api",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 300,
        }));
        var signature = Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
