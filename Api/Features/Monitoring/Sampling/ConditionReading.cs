using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>The conditions seen in one read, and how long until the next of them crosses a threshold (null: none will).</summary>
public sealed record Detection(IReadOnlyList<SampledCondition> Conditions, TimeSpan? UntilNextCrossing);

/// <summary>
/// One cheap read of pg_stat_activity (and pg_locks for waiting sessions only) in one round trip, as the
/// API's login: every running statement, every transaction left idle, every blocker with its waiters,
/// and connection use, turned into conditions with the severity each has now. Durations come from the database's clock, so the API's
/// clock never matters. No relation is locked, so a held table lock cannot make this read wait.
/// </summary>
public sealed class ConditionReading(NpgsqlDataSource dataSource, IOptions<MonitoringOptions> options, ReplicationLagWatch replication)
{
    /// <summary>The condition keys this read owns: an open event under them whose condition is not read is resolved.</summary>
    public static readonly string[] Scopes =
        ["slow_query:", "lock_wait:", "connections:", "idle_in_transaction:", ReplicationLagWatch.LagScope, ReplicationLagWatch.SlotScope];

    // Running statements, and transactions left idle (which keep their locks and snapshot while nothing runs).
    // The API's own bounded monitoring reads are left out here and as waiters: they give up within
    // Monitoring:ReadLockTimeout, and counting them would raise an incident by the act of watching it.
    // Only under the API's own login: another client naming itself so still counts (no hiding by name).
    private const string StatementsSql = $"""
        SELECT a.pid, a.query_start, a.query_id, extract(epoch FROM clock_timestamp() - a.query_start)::float8,
               a.state LIKE 'idle in transaction%', a.xact_start, extract(epoch FROM clock_timestamp() - a.state_change)::float8
        FROM pg_stat_activity a
        WHERE a.backend_type = 'client backend'
          AND a.pid <> pg_backend_pid()
          AND NOT (a.application_name = '{MonitoringDatabase.ApplicationName}' AND a.usename = session_user)
          AND ((a.state IN ('active', 'fastpath function call') AND a.query_start IS NOT NULL)
               OR (a.state LIKE 'idle in transaction%' AND a.xact_start IS NOT NULL AND a.state_change IS NOT NULL))
        """;

    // pg_blocking_pids and pg_locks run for waiting sessions only; a prepared transaction blocks as pid 0.
    private const string BlockersSql = $"""
        SELECT b.pid, bx.xact_start, count(DISTINCT w.pid)::int,
               coalesce(max(extract(epoch FROM clock_timestamp() - l.waitstart)), 0)::float8
        FROM pg_stat_activity w
        CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS b(pid)
        LEFT JOIN pg_stat_activity bx ON bx.pid = b.pid AND b.pid <> 0
        LEFT JOIN LATERAL (SELECT min(k.waitstart) AS waitstart FROM pg_locks k WHERE k.pid = w.pid AND NOT k.granted) l ON true
        WHERE w.wait_event_type = 'Lock' AND w.pid <> pg_backend_pid()
          AND NOT (w.application_name = '{MonitoringDatabase.ApplicationName}' AND w.usename = session_user)
        GROUP BY b.pid, bx.xact_start
        """;

    private const string ConnectionsSql = """
        SELECT count(*)::int, current_setting('max_connections')::int
        FROM pg_stat_activity WHERE backend_type = 'client backend'
        """;

    public async Task<Detection> ReadAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var conditions = new List<SampledCondition>();
        TimeSpan? next = null;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands = { new NpgsqlBatchCommand(StatementsSql), new NpgsqlBatchCommand(BlockersSql), new NpgsqlBatchCommand(ConnectionsSql) },
            Timeout = 10,
        };
        foreach (var command in ReplicationLagWatch.Commands())
        {
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var pid = reader.GetInt32(0);
            if (reader.GetBoolean(4))
            {
                next = Earliest(next, IdleInTransaction(pid, reader.GetFieldValue<DateTimeOffset>(5), Seconds(reader, 6), settings, conditions));
                continue;
            }

            var queryStart = reader.GetFieldValue<DateTimeOffset>(1);
            long? queryId = reader.IsDBNull(2) ? null : reader.GetInt64(2);
            var running = Seconds(reader, 3);
            var (severity, untilNext) = SeverityLadder.ByDuration(running, settings);
            next = Earliest(next, untilNext);
            if (severity is not null)
            {
                conditions.Add(new SampledCondition($"slow_query:pid:{Num(pid)}:{Micros(queryStart)}", "slow_query", severity,
                    JsonSerializer.Serialize(new { pid, durationMs = Ms(running), queryStart, queryId = queryId?.ToString(CultureInfo.InvariantCulture) })));
            }
        }

        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var blocker = reader.GetInt32(0);
            DateTimeOffset? xactStart = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
            var waiters = reader.GetInt32(2);
            var longest = Seconds(reader, 3);
            var (byTime, untilNext) = SeverityLadder.ByDuration(longest, settings);
            next = Earliest(next, untilNext);
            // Open once a wait lasts as long as a slow statement; then the worse of how long and how many.
            if (byTime is not null)
            {
                var identity = blocker == 0 ? "prepared" : xactStart is { } x ? Micros(x) : "none";
                conditions.Add(new SampledCondition($"lock_wait:blocker:{Num(blocker)}:{identity}", "performance_alert",
                    SeverityLadder.Worst(byTime, SeverityLadder.ByWaiters(waiters, settings))!,
                    JsonSerializer.Serialize(new
                    {
                        condition = "lock_wait",
                        blockerPid = blocker,
                        preparedTransaction = blocker == 0,
                        blockerXactStart = xactStart,
                        waiters,
                        longestWaitMs = Ms(longest),
                    })));
            }
        }

        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var (connections, maxConnections) = (reader.GetInt32(0), reader.GetInt32(1));
        var utilization = Math.Round(100.0 * connections / maxConnections, 2);
        if (SeverityLadder.ByConnectionUse(utilization, settings) is { } use)
        {
            conditions.Add(new SampledCondition("connections:utilization", "connection_issue", use,
                JsonSerializer.Serialize(new { utilizationPct = utilization, connections, maxConnections })));
        }

        await reader.NextResultAsync(ct);
        next = Earliest(next, await replication.ReadAsync(reader, conditions, ct));
        return new Detection(conditions, next);
    }

    // A transaction idle between statements is one condition per transaction and idle spell (a new
    // statement ends the spell and resolves it); it holds every lock it took while nothing runs.
    private static TimeSpan? IdleInTransaction(int pid, DateTimeOffset xactStart, TimeSpan idle, MonitoringOptions settings, List<SampledCondition> conditions)
    {
        var (severity, untilNext) = SeverityLadder.ByDuration(idle, settings);
        if (severity is not null)
        {
            conditions.Add(new SampledCondition($"idle_in_transaction:pid:{Num(pid)}:{Micros(xactStart)}", "performance_alert", severity,
                JsonSerializer.Serialize(new { condition = "idle_in_transaction", pid, xactStart, idleMs = Ms(idle) })));
        }

        return untilNext;
    }

    private static TimeSpan Seconds(NpgsqlDataReader reader, int ordinal) => TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(ordinal)));

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Micros(DateTimeOffset at) => ((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(CultureInfo.InvariantCulture);

    private static decimal Ms(TimeSpan span) => Math.Round((decimal)span.TotalMilliseconds, 1);
}
