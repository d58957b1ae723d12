namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>The event types and severities monitoring_events accepts (its CHECK constraints).</summary>
public static class MonitoringEventKinds
{
    public static readonly string[] Types = ["slow_query", "connection_issue", "table_health", "rls_violation", "performance_alert"];

    public static readonly string[] Severities = ["low", "medium", "high", "critical"];

    public const string Critical = "critical";
}
