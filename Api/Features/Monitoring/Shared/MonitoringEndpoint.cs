using System.Globalization;
using Npgsql;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>
/// Base of every monitoring endpoint: database monitoring is for WedSync operators only, so a caller
/// without the platform_admin role gets 403 before any monitoring SQL runs. Operators need no org profile.
/// </summary>
public abstract class MonitoringEndpoint<TRequest, TResponse> : TenantEndpoint<TRequest, TResponse>
    where TRequest : notnull
{
    protected sealed override bool RequiresProfile => false;

    /// <summary>
    /// Every monitoring read is bounded and tagged: monitoring must not queue behind what it reports.
    /// Writes (record, resolve, subscribe, cancel) are not reads of the incident and may wait their turn.
    /// </summary>
    protected sealed override NpgsqlBatchCommand? SessionBounds() =>
        HttpMethods.IsGet(HttpContext.Request.Method) ? Resolve<MonitoringDatabase>().BoundsCommand() : null;

    /// <summary>Reads open their session on the monitoring pool kept for them: they answer when clients have used up max_connections.</summary>
    protected sealed override NpgsqlDataSource? SessionSource() =>
        HttpMethods.IsGet(HttpContext.Request.Method) ? Resolve<MonitoringDatabase>().SessionSource : null;

    protected sealed override async Task HandleInSessionAsync(TRequest req, CancellationToken ct)
    {
        if (!Caller.IsPlatformAdmin)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Database monitoring is for WedSync platform administrators.");
            return;
        }

        await HandleAsAdminAsync(req, ct);
    }

    /// <summary>The use case, run for a platform admin inside the open request session.</summary>
    protected abstract Task HandleAsAdminAsync(TRequest req, CancellationToken ct);

    /// <summary>The OpenAPI words for an endpoint served from <see cref="MonitoringAssessments"/>.</summary>
    protected const string ReusedResultNote =
        "A result up to Monitoring:ResultMaxAge old (15 s by default) is reused: generatedAt and the Age header say when it was computed; "
        + "send Cache-Control: no-cache to have it computed now.";

    /// <summary>The caller asked for a result computed now (<c>Cache-Control: no-cache</c> or <c>max-age=0</c>).</summary>
    protected bool CallerWantsFreshResult =>
        HttpContext.Request.GetTypedHeaders().CacheControl is { } cacheControl
        && (cacheControl.NoCache || cacheControl.MaxAge == TimeSpan.Zero);

    /// <summary>Tells the caller how old a reused result is, in whole seconds (RFC 9111 <c>Age</c>).</summary>
    protected void SetAge(DateTimeOffset computedAt, TimeProvider time)
    {
        var age = time.GetUtcNow() - computedAt;
        HttpContext.Response.Headers.Age = ((long)Math.Max(0, age.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }
}
