namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>The event types and severities monitoring_events accepts (its CHECK constraints).</summary>
public static class MonitoringEventKinds
{
    public static readonly string[] Types = ["slow_query", "connection_issue", "table_health", "rls_violation", "performance_alert", "schema_drift"];

    /// <summary>
    /// The types record_db_monitoring_event (POST /api/monitoring/events) accepts: all but schema_drift,
    /// which only the sampler records, from the comparison with the migrator's schema fingerprint.
    /// </summary>
    public static readonly string[] RecordableTypes = [.. Types.Where(t => t != "schema_drift")];

    public static readonly string[] Severities = ["low", "medium", "high", "critical"];

    public const string Critical = "critical";
}
