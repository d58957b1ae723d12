using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Locks;

/// <summary>
/// Reads the blocking tree in a tenant session (GET /api/monitoring/locks and the console's Locks page,
/// one SQL for both): the caller's platform-admin check comes first, in either.
/// </summary>
public static class BlockingTree
{
    // pg_blocking_pids takes the lock manager's locks briefly: called only for sessions waiting on one.
    private const string Sql = """
        WITH waiting AS (
            SELECT a.pid, pg_blocking_pids(a.pid) AS blocked_by
            FROM pg_stat_activity a
            WHERE a.wait_event_type = 'Lock'
        ), edges AS (
            SELECT w.pid AS waiter, b.pid AS blocker
            FROM waiting w CROSS JOIN LATERAL unnest(w.blocked_by) AS b(pid)
        ), involved AS (
            SELECT waiter AS pid FROM edges UNION SELECT blocker FROM edges
        )
        SELECT i.pid,
               coalesce((SELECT array_agg(e.blocker ORDER BY e.blocker) FROM edges e WHERE e.waiter = i.pid), '{}'),
               coalesce((SELECT array_agg(e.waiter ORDER BY e.waiter) FROM edges e WHERE e.blocker = i.pid), '{}'),
               a.usename, a.datname, a.application_name, host(a.client_addr), a.backend_type, a.state,
               a.wait_event_type, a.wait_event,
               (SELECT l.locktype || ' ' || l.mode || coalesce(' on ' || l.relation::regclass::text, '')
                FROM pg_locks l WHERE l.pid = i.pid AND NOT l.granted LIMIT 1),
               CASE WHEN a.wait_event_type = 'Lock' THEN extract(epoch FROM clock_timestamp() - a.state_change)::float8 END,
               extract(epoch FROM clock_timestamp() - a.xact_start)::float8,
               extract(epoch FROM clock_timestamp() - a.query_start)::float8,
               monitoring_redact_query(a.query, 500)
        FROM involved i
        LEFT JOIN pg_stat_activity a ON a.pid = i.pid
        ORDER BY i.pid
        """;

    public static async Task<Response> ReadAsync(TenantSession session, TimeProvider time, CancellationToken ct)
    {
        var sessions = new List<LockedSession>();
        await using (var command = session.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                sessions.Add(new LockedSession(
                    reader.GetInt32(0),
                    reader.GetFieldValue<int[]>(1),
                    reader.GetFieldValue<int[]>(2),
                    Text(3), Text(4), Text(5), Text(6), Text(7), Text(8), Text(9), Text(10), Text(11),
                    Number(12), Number(13), Number(14),
                    Text(15)));
            }

            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            double? Number(int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);
        }

        var roots = sessions.Where(s => s.BlockedBy.Count == 0 && s.Blocking.Count > 0).Select(s => s.Pid).ToList();
        return new Response(roots, sessions, time.GetUtcNow());
    }
}
