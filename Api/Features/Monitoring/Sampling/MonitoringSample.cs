namespace WedSync.Api.Features.Monitoring.Sampling;

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

/// <summary>One sampling tick: the snapshot and the details the tick's event thresholds look at.</summary>
public sealed record MonitoringSample(
    MonitoringSnapshot Snapshot,
    IReadOnlyList<string> RlsHighRiskTables,
    string SummaryJson);
