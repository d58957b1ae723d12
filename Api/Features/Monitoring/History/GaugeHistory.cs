using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.Sampling;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.History;

/// <summary>One stored reading of the seven gauges (<see cref="MonitoringGauges"/>), as the sampler published it.</summary>
public sealed record GaugeSample(DateTimeOffset SampledAt, MonitoringSnapshot Snapshot);

/// <summary>
/// The gauges over time (monitoring_history.gauge_samples). The sampler writes them: it holds the
/// snapshot already, so storing costs one insert and no second computation of the summary. At most one
/// row per <see cref="HistoryOptions.GaugeHistoryInterval"/>; rows past
/// <see cref="HistoryOptions.GaugeHistoryRetention"/> go in the same statement.
/// </summary>
public sealed class GaugeHistory(NpgsqlDataSource dataSource, IOptions<HistoryOptions> options, TimeProvider time)
{
    private const string InsertSql = """
        WITH expired AS (
            DELETE FROM monitoring_history.gauge_samples WHERE sampled_at < now() - @retention
        )
        INSERT INTO monitoring_history.gauge_samples (sampled_at, connections_in_use, connection_utilization_pct, slow_queries,
            tables_rls_high_risk, tables_rls_medium_risk, tables_needing_vacuum, open_critical_events, health_score)
        VALUES (now(), @connections, @utilization, @slow, @rlsHigh, @rlsMedium, @vacuum, @critical, @score)
        ON CONFLICT (sampled_at) DO NOTHING
        """;

    private const string ReadSql = """
        SELECT sampled_at, connections_in_use, connection_utilization_pct, slow_queries, tables_rls_high_risk,
               tables_rls_medium_risk, tables_needing_vacuum, open_critical_events, health_score
        FROM monitoring_history.gauge_samples
        WHERE sampled_at > @since
        ORDER BY sampled_at
        """;

    private DateTimeOffset nextSample = DateTimeOffset.MinValue;

    /// <summary>Stores the snapshot when the interval has passed since the last stored one (the first one at once).</summary>
    public async Task RecordWhenDueAsync(MonitoringSnapshot snapshot, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!options.Value.QueryHistoryEnabled || now < nextSample)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(InsertSql);
        command.Parameters.AddWithValue("retention", options.Value.GaugeHistoryRetention);
        command.Parameters.AddWithValue("connections", snapshot.ConnectionsInUse);
        command.Parameters.AddWithValue("utilization", snapshot.ConnectionUtilizationPct);
        command.Parameters.AddWithValue("slow", snapshot.SlowQueries);
        command.Parameters.AddWithValue("rlsHigh", snapshot.TablesRlsHighRisk);
        command.Parameters.AddWithValue("rlsMedium", snapshot.TablesRlsMediumRisk);
        command.Parameters.AddWithValue("vacuum", snapshot.TablesNeedingVacuum);
        command.Parameters.AddWithValue("critical", snapshot.OpenCriticalEvents);
        command.Parameters.AddWithValue("score", snapshot.HealthScore);
        await command.ExecuteNonQueryAsync(ct);
        nextSample = now + options.Value.GaugeHistoryInterval;
    }

    /// <summary>The stored samples after <paramref name="since"/>, oldest first. Read as the API's login, after the caller's platform-admin check.</summary>
    public static Task<IReadOnlyList<GaugeSample>> ReadAsync(MonitoringDatabase monitoring, DateTimeOffset since, CancellationToken ct)
    {
        var command = new NpgsqlBatchCommand(ReadSql) { Parameters = { new NpgsqlParameter("since", since) } };
        return monitoring.ReadAsync([command], async reader =>
        {
            var samples = new List<GaugeSample>();
            while (await reader.ReadAsync(ct))
            {
                samples.Add(new GaugeSample(reader.GetFieldValue<DateTimeOffset>(0), new MonitoringSnapshot(
                    reader.GetInt32(1), reader.GetDouble(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5),
                    reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8))));
            }

            return (IReadOnlyList<GaugeSample>)samples;
        }, ct);
    }
}
