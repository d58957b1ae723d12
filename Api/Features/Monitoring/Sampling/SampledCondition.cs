using System.Text.Json;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// A threshold crossed in a sample. The key names the condition (not the tick), so the partial unique
/// index on open events keeps one open event per condition however long it lasts.
/// </summary>
public sealed record SampledCondition(string Key, string EventType, string Severity, string DataJson)
{
    /// <summary>The condition keys a tick owns; the running conditions are <see cref="ConditionReading.Scopes"/>.</summary>
    public static readonly string[] TickScopes = ["rls:", SchemaDriftWatch.EventType + ":"];

    /// <summary>The tick's conditions: tables at RLS risk (slow statements, lock waits and connection use are the detector's).</summary>
    public static IReadOnlyList<SampledCondition> From(MonitoringSample sample) =>
        [.. sample.RlsHighRiskTables.Select(table => new SampledCondition($"rls:{table}", "rls_violation", "high",
            JsonSerializer.Serialize(new { table, riskLevel = "HIGH", reason = "row-level security is off" })))];
}
