using Microsoft.Extensions.Options;
using WedSync.Api.Features.Monitoring.Advisor;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>
/// The summary and the advisor's findings as the endpoints serve them. Both walk the catalogs of every
/// table (hundreds of milliseconds at a thousand tables), so each is computed at most once per
/// <see cref="MonitoringOptions.ResultMaxAge"/> however many operators ask; the sampler hands in the
/// summary it computes on every tick anyway. Both run as the API's own login: callers check platform_admin.
/// </summary>
public sealed class MonitoringAssessments(
    MonitoringDatabase database,
    DatabaseAdvisor advisor,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime)
{
    public const string SummarySql = "SELECT get_db_monitoring_summary()::text";

    private readonly RecentResult<string> summaries = new(time, lifetime);
    private readonly RecentResult<AdvisorResult> findings = new(time, lifetime);

    /// <summary>get_db_monitoring_summary() as JSON text.</summary>
    public Task<Computed<string>> SummaryAsync(bool refresh, CancellationToken ct) =>
        summaries.GetAsync(ReadSummaryAsync, options.Value.ResultMaxAge, refresh, ct);

    public Task<Computed<AdvisorResult>> FindingsAsync(bool refresh, CancellationToken ct) =>
        findings.GetAsync(advisor.RunAsync, options.Value.ResultMaxAge, refresh, ct);

    /// <summary>The newest summary held, however old: what a partial answer shows when a new one cannot be read.</summary>
    public Computed<string>? LatestSummary => summaries.Latest;

    /// <summary>The newest advisor result held, however old.</summary>
    public Computed<AdvisorResult>? LatestFindings => findings.Latest;

    /// <summary>A summary the sampler read at <paramref name="readAt"/>.</summary>
    public void OfferSummary(string json, DateTimeOffset readAt) => summaries.Offer(json, readAt);

    private async Task<string> ReadSummaryAsync(CancellationToken ct)
    {
        return (string)(await database.ScalarAsync(SummarySql, ct))!;
    }
}
