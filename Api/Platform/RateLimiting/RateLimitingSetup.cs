using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using WedSync.Api.Platform.Auth;
using WedSync.Api.Platform.Network;

namespace WedSync.Api.Platform.RateLimiting;

public static class RateLimitingSetup
{
    /// <summary>
    /// One fixed window per minute per user (<c>sub</c>), per client when anonymous (its IPv4 address or
    /// IPv6 /64, <see cref="ClientNetwork"/>; behind a trusted proxy the forwarded client). These counters
    /// live in one instance's memory: they protect the instance; limits that are business rules are
    /// counted in the database (DESIGN.md).
    /// </summary>
    public static IServiceCollection AddWedSyncRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter();
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, limits) =>
        {
            var settings = limits.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, settings));
            limiter.OnRejected = (rejected, _) => OnRejectedAsync(rejected, Partition(rejected.HttpContext, settings).PartitionKey);
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitingOptions settings)
    {
        // Probes of the orchestrator must never be throttled into a restart.
        if (context.Request.Path.StartsWithSegments(Extensions.HealthEndpointPath)
            || context.Request.Path.StartsWithSegments(Extensions.AlivenessEndpointPath))
        {
            return RateLimitPartition.GetNoLimiter("probes");
        }

        // The console's static files (blazor.web.js, Fluent UI's assets, its css) carry no cookie and
        // no token: counted per IP they would eat the anonymous API budget of everyone behind that address.
        if (OperatorConsole.ConsoleSetup.IsStaticAsset(context.Request.Path))
        {
            return RateLimitPartition.GetNoLimiter("static-assets");
        }

        // Console pages count in windows of their own, so a browser never throttles API clients.
        var area = context.Request.Path.StartsWithSegments(OperatorConsole.ConsoleSetup.BasePath) ? "console:" : "";
        var subject = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(ClaimNames.Subject)?.Value : null;
        return subject is not null
            ? FixedWindow($"{area}user:{subject}", settings.PermitsPerMinute)
            : FixedWindow($"{area}ip:{ClientNetwork.Key(context.Connection.RemoteIpAddress)}", settings.AnonymousPermitsPerMinute);
    }

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private static readonly WindowStarts Windows = new(Window);

    private static RateLimitPartition<string> FixedWindow(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, partition =>
        {
            Windows.Started(partition);
            return new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = Window,
                QueueLimit = 0,
            };
        });

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, string partition)
    {
        var context = rejected.HttpContext;
        // Not the lease's RetryAfter: the fixed window limiter reports the whole window (dotnet/runtime#92557).
        var seconds = Windows.SecondsUntilRenewal(partition);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"Rate limit reached; retry in {seconds} s.",
            },
        });
    }
}
