namespace WedSync.Api.Features.Monitoring.Sampler;

/// <summary>The numbers the gauges publish, as get_db_monitoring_summary() computed them.</summary>
public sealed record MonitoringSnapshot(
    int ConnectionsInUse,
    double ConnectionUtilizationPct,
    int SlowQueries,
    int TablesRlsHighRisk,
    int TablesRlsMediumRisk,
    int TablesNeedingVacuum,
    int OpenCriticalEvents,
    int HealthScore);

/// <summary>A statement running longer than the slow-query event threshold.</summary>
public sealed record SlowStatement(int Pid, decimal DurationMs, DateTimeOffset? QueryStart);

/// <summary>One sampling tick: the snapshot and the details the event thresholds look at.</summary>
/// <param name="UntilNextSlow">
/// How long until the earliest statement running now crosses the slow-query event threshold, on the
/// database's clock; null when none runs. The sampler wakes then instead of at its next tick.
/// </param>
public sealed record MonitoringSample(
    MonitoringSnapshot Snapshot,
    int MaxConnections,
    IReadOnlyList<SlowStatement> SlowStatements,
    IReadOnlyList<string> RlsHighRiskTables,
    string SummaryJson,
    TimeSpan? UntilNextSlow);

/// <summary>The slow-statement part of a sample alone: what the sampler reads between ticks.</summary>
public sealed record SlowStatementWatch(IReadOnlyList<SlowStatement> SlowStatements, TimeSpan? UntilNextSlow);
