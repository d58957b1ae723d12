using FastEndpoints;
using Microsoft.Extensions.Options;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling.WaitEvents;

/// <summary>Database time in a window by vendor organization, wait event, query or login, from the stored wait samples.</summary>
public sealed class Endpoint(MonitoringDatabase monitoring, IOptions<WaitSamplingOptions> options, TimeProvider time) : MonitoringEndpoint<Request, Response>
{
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    public override void Configure()
    {
        Get("/monitoring/wait-events");
        Summary(s =>
        {
            s.Summary = "Database time by vendor organization, wait event, query or login in a window (platform admins)";
            s.Description = "From the active session history: pg_stat_activity sampled every Monitoring:WaitSampleInterval (1 s), "
                + "each active backend counting one interval of database time, stored in buckets of Monitoring:WaitFlushInterval (10 s) "
                + "for Monitoring:WaitHistoryRetention. A wait of CPU means active and waiting on nothing. Time is a vendor organization's "
                + "only for API requests (tagged application_name); other logins, background workers and other databases have organizationId null. "
                + "from/to are ISO 8601, the window is [from, to) on bucket starts, at most 31 days; by default the last hour.";
            s.Responses[StatusCodes.Status200OK] = "The window's total and its largest groups; partial (unavailable names what) when a part could not be read "
                + "within the monitoring bounds, e.g. organization names while organizations is locked.";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var to = req.To ?? time.GetUtcNow();
        var from = req.From ?? to - DefaultWindow;
        var (total, groups, unavailable) = await WaitEventsData.ReadAsync(monitoring, from, to, req.GroupBy, req.OrganizationId, req.Limit, ct);
        await Send.OkAsync(new Response(from, to, req.GroupBy, options.Value.WaitSampleInterval.TotalSeconds, total, groups, unavailable.Count > 0, unavailable), ct);
    }
}
