using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampler;

/// <summary>
/// Reads one sample in one round trip, as the API's own login (not the request role, so the views'
/// platform-admin filter does not apply): the summary and the rows behind the event thresholds.
/// </summary>
public sealed class MonitoringSampleReader(NpgsqlDataSource dataSource, IOptions<MonitoringOptions> options)
{
    public async Task<MonitoringSample> ReadAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(MonitoringAssessments.SummarySql),
                SlowCommand(),
                // An exception accepted in the catalog opens no event, as it costs the score nothing.
                new NpgsqlBatchCommand("""
                    SELECT format('%s.%s', schema_name, table_name) FROM monitoring_rls_status
                    WHERE risk_level = 'HIGH' AND NOT monitoring_rls_exception_accepted(schema_name, table_name)
                    ORDER BY 1
                    """),
                NextSlowCommand(),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var summaryJson = reader.GetString(0);
        using var summary = JsonDocument.Parse(summaryJson);

        await reader.NextResultAsync(ct);
        var slow = await ReadSlowAsync(reader, ct);

        await reader.NextResultAsync(ct);
        var rlsHigh = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            rlsHigh.Add(reader.GetString(0));
        }

        await reader.NextResultAsync(ct);
        var untilNextSlow = await ReadUntilNextSlowAsync(reader, ct);

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
        return new MonitoringSample(snapshot, metrics.GetProperty("maxConnections").GetInt32(), slow, rlsHigh, summaryJson, untilNextSlow);
    }

    /// <summary>
    /// The slow statements and the time to the next crossing only: one cheap read of pg_stat_activity,
    /// for the sampler's wake-ups between ticks.
    /// </summary>
    public async Task<SlowStatementWatch> ReadSlowAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { SlowCommand(), NextSlowCommand() } };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var slow = await ReadSlowAsync(reader, ct);
        await reader.NextResultAsync(ct);
        return new SlowStatementWatch(slow, await ReadUntilNextSlowAsync(reader, ct));
    }

    private NpgsqlBatchCommand SlowCommand() => new("SELECT pid, duration_ms, query_start FROM monitoring_slow_queries WHERE duration_ms >= @min ORDER BY pid")
    {
        Parameters = { new NpgsqlParameter("min", (decimal)options.Value.SlowQueryEventThreshold.TotalMilliseconds) },
    };

    // The statements monitoring_slow_queries counts (client backends, active, not this session) that
    // have not crossed the threshold yet: the earliest crosses first. Computed on the database's clock,
    // so the API's clock never matters.
    private NpgsqlBatchCommand NextSlowCommand() => new("""
        SELECT extract(epoch FROM min(a.query_start) + @threshold - clock_timestamp())::float8
        FROM pg_stat_activity a
        WHERE a.backend_type = 'client backend'
          AND a.state IN ('active', 'fastpath function call')
          AND a.pid <> pg_backend_pid()
          AND a.query_start > clock_timestamp() - @threshold
        """)
    {
        Parameters = { new NpgsqlParameter("threshold", options.Value.SlowQueryEventThreshold) },
    };

    private static async Task<List<SlowStatement>> ReadSlowAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var slow = new List<SlowStatement>();
        while (await reader.ReadAsync(ct))
        {
            slow.Add(new SlowStatement(reader.GetInt32(0), reader.GetDecimal(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return slow;
    }

    private static async Task<TimeSpan?> ReadUntilNextSlowAsync(NpgsqlDataReader reader, CancellationToken ct) =>
        await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(0))) : null;
}
