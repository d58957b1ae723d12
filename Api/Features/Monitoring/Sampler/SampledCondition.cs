using System.Globalization;
using System.Text.Json;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampler;

/// <summary>
/// A threshold crossed in a sample. The key names the condition (not the tick), so the partial unique
/// index on open events keeps one open event per condition however long it lasts.
/// </summary>
public sealed record SampledCondition(string Key, string EventType, string Severity, string DataJson)
{
    public static IReadOnlyList<SampledCondition> From(MonitoringSample sample, MonitoringOptions options)
    {
        var conditions = Slow(sample.SlowStatements).ToList();

        var utilization = sample.Snapshot.ConnectionUtilizationPct;
        if (utilization >= options.ConnectionUtilizationEventPct)
        {
            conditions.Add(new("connections:utilization", "connection_issue",
                utilization >= 95 ? MonitoringEventKinds.Critical : "high",
                JsonSerializer.Serialize(new
                {
                    utilizationPct = utilization,
                    connections = sample.Snapshot.ConnectionsInUse,
                    maxConnections = sample.MaxConnections,
                })));
        }

        foreach (var table in sample.RlsHighRiskTables)
        {
            conditions.Add(new($"rls:{table}", "rls_violation", "high",
                JsonSerializer.Serialize(new { table, riskLevel = "HIGH", reason = "row-level security is off" })));
        }

        return conditions;
    }

    /// <summary>A slow_query condition per statement over the threshold (the sample's, or a watch between ticks).</summary>
    public static IEnumerable<SampledCondition> Slow(IEnumerable<SlowStatement> statements) =>
        statements.Select(slow => new SampledCondition($"slow_query:pid:{slow.Pid.ToString(CultureInfo.InvariantCulture)}", "slow_query",
            slow.DurationMs >= 60_000 ? "high" : "medium",
            JsonSerializer.Serialize(new { pid = slow.Pid, durationMs = slow.DurationMs, queryStart = slow.QueryStart })));
}
