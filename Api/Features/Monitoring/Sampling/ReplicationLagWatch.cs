using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// Replication as conditions of the detector's 1 s read: one replication_lag condition per standby (identity: the
/// walsender's application_name and client address, so a reconnect keeps its event), raised while its replay falls
/// further behind and resolved when it catches up; one replication_slot condition per inactive slot retaining WAL.
/// </summary>
/// <remarks>
/// pg_stat_replication.replay_lag stops moving while replay is stuck (it is measured when replay advances), so how far
/// behind a standby is comes from this server's own WAL positions, remembered at every read: its replay is as old as
/// the newest read whose WAL end it had not reached (at most one read interval early, never late). Only the
/// detector's loop calls it.
/// </remarks>
public sealed class ReplicationLagWatch(IOptions<ReplicationLagOptions> options)
{
    public const string LagScope = "replication_lag:";

    public const string SlotScope = "replication_slot:";

    // Enough for hours at one read a second; older positions only matter while a standby is that far behind.
    private const int MaxPositions = 20_000;

    private const string PositionSql = """
        SELECT pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, '0/0')::int8,
               clock_timestamp()
        """;

    // replay_lsn is null for pg_basebackup and pg_receivewal, which replay nothing.
    private const string StandbysSql = """
        SELECT coalesce(s.application_name, ''), coalesce(host(s.client_addr), 'local'), s.pid,
               pg_wal_lsn_diff(s.replay_lsn, '0/0')::int8, extract(epoch FROM s.replay_lag)::float8, s.state
        FROM pg_stat_replication s WHERE s.replay_lsn IS NOT NULL
        """;

    private const string InactiveSlotsSql = """
        SELECT slot_name, slot_type, pg_wal_lsn_diff(restart_lsn, '0/0')::int8, wal_status
        FROM pg_replication_slots WHERE NOT active AND restart_lsn IS NOT NULL
        """;

    private readonly List<(long Lsn, DateTimeOffset At)> positions = [];

    /// <summary>The statements whose results <see cref="Read"/> reads, in order.</summary>
    public static IEnumerable<NpgsqlBatchCommand> Commands() =>
        [new NpgsqlBatchCommand(PositionSql), new NpgsqlBatchCommand(StandbysSql), new NpgsqlBatchCommand(InactiveSlotsSql)];

    /// <summary>Adds the replication conditions of the reader's next three results; returns the time until a stuck standby crosses its next rung.</summary>
    public async Task<TimeSpan?> ReadAsync(NpgsqlDataReader reader, List<SampledCondition> conditions, CancellationToken ct)
    {
        var settings = options.Value;
        await reader.ReadAsync(ct);
        long? current = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        var now = reader.GetFieldValue<DateTimeOffset>(1);
        if (current is { } position && (positions.Count == 0 || positions[^1].Lsn != position))
        {
            positions.Add((position, now));
            if (positions.Count > MaxPositions)
            {
                positions.RemoveAt(0);
            }
        }

        TimeSpan? next = null;
        var oldestReplay = long.MaxValue;
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (application, address, pid, replay) = (reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3));
            TimeSpan? reported = reader.IsDBNull(4) ? null : TimeSpan.FromSeconds(reader.GetDouble(4));
            oldestReplay = Math.Min(oldestReplay, replay);
            var bytes = current is { } end ? Math.Max(0, end - replay) : 0;
            var behind = Behind(replay, now, reported);
            var (byTime, untilNext) = settings.ByTime(behind);
            if (bytes > 0 && untilNext is { } until)
            {
                next = next is null || until < next ? until : next;
            }

            if (SeverityLadder.Worst(byTime, settings.ByBytes(bytes)) is { } severity)
            {
                conditions.Add(new SampledCondition($"{LagScope}{application}@{address}", "performance_alert", severity, JsonSerializer.Serialize(new
                {
                    condition = "replication_lag",
                    applicationName = application,
                    clientAddr = address,
                    pid,
                    state = reader.IsDBNull(5) ? null : reader.GetString(5),
                    lagMs = Math.Round((decimal)behind.TotalMilliseconds, 1),
                    lagBytes = bytes,
                })));
            }
        }

        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (slot, type, restart) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
            var retained = current is { } end ? Math.Max(0, end - restart) : 0;
            oldestReplay = Math.Min(oldestReplay, restart);
            // A slot whose WAL is already gone (lost) can never serve its standby again: that is as bad as it gets.
            var lost = !reader.IsDBNull(3) && reader.GetString(3) == "lost";
            if ((lost ? Shared.MonitoringEventKinds.Critical : settings.ByBytes(retained)) is { } severity)
            {
                conditions.Add(new SampledCondition($"{SlotScope}{slot}", "performance_alert", severity, JsonSerializer.Serialize(new
                {
                    condition = "inactive_replication_slot",
                    slotName = slot,
                    slotType = type,
                    retainedBytes = retained,
                    walStatus = reader.IsDBNull(3) ? null : reader.GetString(3),
                })));
            }
        }

        Forget(oldestReplay);
        return next;
    }

    // Replay at `replay` is as old as the newest remembered WAL end it had not passed, taken from the read before it.
    private TimeSpan Behind(long replay, DateTimeOffset now, TimeSpan? reported)
    {
        var first = positions.FindIndex(p => p.Lsn > replay);
        if (first < 0)
        {
            return TimeSpan.Zero;
        }

        // Behind since before the first remembered position (this instance just started reading): what the server reports, at least.
        var since = first == 0 ? now - positions[0].At : now - positions[first - 1].At;
        return reported is { } r && r > since ? r : since;
    }

    // Positions no standby or slot still needs: all but the newest one at or below the oldest replay.
    private void Forget(long oldestReplay)
    {
        while (positions.Count > 1 && positions[1].Lsn <= oldestReplay)
        {
            positions.RemoveAt(0);
        }
    }
}
