using Npgsql;
using WedSync.Api.Features.Monitoring.Sessions;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Sessions.Locks;

/// <summary>
/// Reads the blocking tree in a tenant session (GET /api/monitoring/locks and the console's Locks page,
/// one SQL for both): the caller's platform-admin check comes first, in either. Every holder is named:
/// pg_blocking_pids answers 0 for a prepared transaction, so the waiter's lock is matched to the granted,
/// backend-less locks of pg_prepared_xacts (by the transaction's own transactionid lock) to name its gid.
/// </summary>
public static class BlockingTree
{
    // pg_blocking_pids and pg_locks take the lock manager's locks briefly: read only for sessions waiting on one.
    private const string Sql = """
        WITH waiting AS (
            SELECT a.pid, pg_blocking_pids(a.pid) AS blocked_by
            FROM pg_stat_activity a
            WHERE a.wait_event_type = 'Lock'
        ), edges AS (
            SELECT w.pid AS waiter, b.pid AS blocker, NULL::text AS gid
            FROM waiting w CROSS JOIN LATERAL unnest(w.blocked_by) AS b(pid)
            WHERE b.pid <> 0
            UNION
            SELECT w.pid, 0, p.gid
            FROM waiting w
            CROSS JOIN LATERAL (
                SELECT DISTINCT x.gid
                FROM pg_locks wl
                JOIN pg_locks hl ON hl.pid IS NULL AND hl.granted
                    AND (hl.locktype, hl.database, hl.relation, hl.page, hl.tuple, hl.virtualxid, hl.transactionid, hl.classid, hl.objid, hl.objsubid)
                        IS NOT DISTINCT FROM (wl.locktype, wl.database, wl.relation, wl.page, wl.tuple, wl.virtualxid, wl.transactionid, wl.classid, wl.objid, wl.objsubid)
                JOIN pg_locks xl ON xl.pid IS NULL AND xl.locktype = 'transactionid' AND xl.virtualtransaction = hl.virtualtransaction
                JOIN pg_prepared_xacts x ON x.transaction = xl.transactionid
                WHERE wl.pid = w.pid AND NOT wl.granted
            ) p
            WHERE 0 = ANY (w.blocked_by)
        ), involved AS (
            SELECT waiter AS pid, NULL::text AS gid FROM edges UNION SELECT blocker, gid FROM edges
        )
        SELECT i.pid, i.gid,
               coalesce((SELECT array_agg(e.blocker ORDER BY e.blocker) FROM edges e WHERE i.gid IS NULL AND e.waiter = i.pid AND e.gid IS NULL), '{}') AS blocked_by,
               coalesce((SELECT array_agg(e.gid ORDER BY e.gid) FROM edges e WHERE i.gid IS NULL AND e.waiter = i.pid AND e.gid IS NOT NULL), '{}') AS blocked_by_prepared,
               coalesce((SELECT array_agg(e.waiter ORDER BY e.waiter) FROM edges e WHERE e.blocker = i.pid AND e.gid IS NOT DISTINCT FROM i.gid), '{}') AS blocking,
               coalesce(a.usename::text, p.owner::text) AS user_name, coalesce(a.datname::text, p.database::text) AS database_name,
               a.application_name, host(a.client_addr) AS client_addr, a.backend_type, a.state, a.wait_event_type, a.wait_event,
               -- A relation of another database is named by its oid there: cast here, it would name this database's table.
               (SELECT l.locktype || ' ' || l.mode || coalesce(' on ' || CASE
                           WHEN l.database IN (0, (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())) THEN l.relation::regclass::text
                           ELSE 'relation ' || l.relation || ' of database ' || coalesce((SELECT d.datname::text FROM pg_database d WHERE d.oid = l.database), l.database::text)
                       END, '')
                FROM pg_locks l WHERE l.pid = i.pid AND NOT l.granted LIMIT 1) AS waiting_for,
               CASE WHEN a.wait_event_type = 'Lock' THEN extract(epoch FROM clock_timestamp() - a.state_change)::float8 END AS waiting_seconds,
               extract(epoch FROM clock_timestamp() - coalesce(a.xact_start, p.prepared))::float8 AS transaction_seconds,
               extract(epoch FROM clock_timestamp() - a.query_start)::float8 AS query_seconds,
               monitoring_redact_query(a.query, 500) AS query,
               a.leader_pid,
               coalesce(a.datname, p.database) IS DISTINCT FROM current_database() AS other_database,
               coalesce(a.backend_type = 'autovacuum worker' AND a.query LIKE '%(to prevent wraparound)%', false) AS anti_wraparound,
               p.transaction::text AS xid, p.prepared
        FROM involved i
        LEFT JOIN pg_stat_activity a ON i.gid IS NULL AND a.pid = i.pid
        LEFT JOIN pg_prepared_xacts p ON p.gid = i.gid
        ORDER BY i.pid, i.gid
        """;

    public static async Task<Response> ReadAsync(TenantSession session, TimeProvider time, TimeSpan orphanAge, CancellationToken ct)
    {
        var sessions = new List<LockedSession>();
        await using (var command = session.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                sessions.Add(Read(reader, orphanAge));
            }
        }

        var roots = sessions.Where(s => s.BlockedBy.Count == 0 && s.BlockedByPrepared.Count == 0 && s.Blocking.Count > 0).ToList();
        return new Response(
            roots.Where(s => s.PreparedTransaction is null).Select(s => s.Pid).ToList(),
            sessions,
            time.GetUtcNow(),
            roots.Select(s => s.PreparedTransaction?.Gid).OfType<string>().ToList());
    }

    private static LockedSession Read(NpgsqlDataReader reader, TimeSpan orphanAge)
    {
        string? Text(string name) => reader[name] as string;
        double? Number(string name) => reader[name] is double value ? value : null;

        var pid = reader.GetInt32(reader.GetOrdinal("pid"));
        var database = Text("database_name");
        var otherDatabase = reader.GetBoolean(reader.GetOrdinal("other_database"));
        var backendType = Text("backend_type");
        var leaderPid = reader["leader_pid"] is int leader ? leader : (int?)null;
        PreparedTransaction? prepared = null;
        string kind;
        (string Advice, IReadOnlyList<SessionAction> Actions) what;
        if (Text("gid") is { } gid && reader["prepared"] is DateTime preparedAt)
        {
            var age = Number("transaction_seconds") ?? 0;
            prepared = new PreparedTransaction(gid, Text("xid")!, Text("user_name")!, database!,
                new DateTimeOffset(preparedAt, TimeSpan.Zero), age, age >= orphanAge.TotalSeconds);
            kind = SessionKinds.PreparedTransaction;
            what = SessionKinds.ForPrepared(prepared);
        }
        else
        {
            kind = SessionKinds.OfBackend(backendType);
            what = SessionKinds.ForBackend(pid, backendType, database, otherDatabase, leaderPid, reader.GetBoolean(reader.GetOrdinal("anti_wraparound")));
        }

        return new LockedSession(
            pid,
            reader.GetFieldValue<int[]>(reader.GetOrdinal("blocked_by")),
            reader.GetFieldValue<int[]>(reader.GetOrdinal("blocking")),
            Text("user_name"), database, Text("application_name"), Text("client_addr"), backendType, Text("state"),
            Text("wait_event_type"), Text("wait_event"), Text("waiting_for"),
            Number("waiting_seconds"), Number("transaction_seconds"), Number("query_seconds"), Text("query"),
            kind, otherDatabase, leaderPid,
            reader.GetFieldValue<string[]>(reader.GetOrdinal("blocked_by_prepared")),
            prepared, what.Advice, what.Actions);
    }
}
