using System.Text.Json;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// Reads one sample in one round trip, as the API's own login (not the request role, so the views'
/// platform-admin filter does not apply): the summary and the tables behind the tick's events.
/// </summary>
public sealed class MonitoringSampleReader(MonitoringDatabase monitoring)
{
    // Bounded like every monitoring read: a tick that would wait behind a locked table gives up (the
    // sampler logs it and tries next tick) while the 1 s condition detector, which locks nothing, goes on.
    public Task<MonitoringSample> ReadAsync(CancellationToken ct) => monitoring.ReadAsync(
        [
            new NpgsqlBatchCommand(MonitoringAssessments.SummarySql),
            // An exception accepted in the catalog opens no event, as it costs the score nothing.
            new NpgsqlBatchCommand("""
                SELECT format('%s.%s', schema_name, table_name) FROM monitoring_rls_status
                WHERE risk_level = 'HIGH' AND NOT monitoring_rls_exception_accepted(schema_name, table_name)
                ORDER BY 1
                """),
        ],
        reader => ReadSampleAsync(reader, ct),
        ct);

    private static async Task<MonitoringSample> ReadSampleAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        await reader.ReadAsync(ct);
        var summaryJson = reader.GetString(0);
        using var summary = JsonDocument.Parse(summaryJson);

        await reader.NextResultAsync(ct);
        var rlsHigh = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            rlsHigh.Add(reader.GetString(0));
        }

        var metrics = summary.RootElement.GetProperty("metrics");
        var snapshot = new MonitoringSnapshot(
            metrics.GetProperty("connections").GetInt32(),
            metrics.GetProperty("connectionUtilizationPct").GetDouble(),
            metrics.GetProperty("slowQueries").GetInt32(),
            metrics.GetProperty("tablesRlsHighRisk").GetInt32(),
            metrics.GetProperty("tablesRlsMediumRisk").GetInt32(),
            metrics.GetProperty("tablesNeedingVacuum").GetInt32(),
            metrics.GetProperty("openCriticalEvents").GetInt32(),
            summary.RootElement.GetProperty("healthScore").GetInt32());
        return new MonitoringSample(snapshot, rlsHigh, summaryJson);
    }
}
