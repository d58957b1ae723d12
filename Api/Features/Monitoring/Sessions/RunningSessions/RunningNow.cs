using Npgsql;
using WedSync.Api.Features.Monitoring.Sessions;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Sessions.RunningSessions;

/// <summary>
/// Reads what runs now in a tenant session (GET /api/monitoring/sessions and the console's Locks page):
/// every backend that is not idle, whether or not it blocks anyone, so a lone runaway query can be cancelled.
/// </summary>
public static class RunningNow
{
    private const string Sql = """
        SELECT a.pid, a.backend_type, a.usename::text AS user_name, a.datname::text AS database_name,
               a.datname IS DISTINCT FROM current_database() AS other_database,
               a.application_name, host(a.client_addr) AS client_addr, a.state, a.wait_event_type, a.wait_event,
               extract(epoch FROM clock_timestamp() - a.query_start)::float8 AS query_seconds,
               extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS transaction_seconds,
               monitoring_redact_query(a.query, 500) AS query, a.leader_pid,
               coalesce(a.backend_type = 'autovacuum worker' AND a.query LIKE '%(to prevent wraparound)%', false) AS anti_wraparound
        FROM pg_stat_activity a
        WHERE a.pid <> pg_backend_pid()
          AND ((a.backend_type = 'client backend' AND a.state IS DISTINCT FROM 'idle')
               OR a.backend_type IN ('autovacuum worker', 'walsender', 'parallel worker')
               OR (a.backend_type LIKE '%worker%' AND a.state = 'active'))
        ORDER BY a.query_start NULLS LAST, a.pid
        LIMIT @limit;
        SELECT p.gid, p.transaction::text AS xid, p.owner::text AS owner_name, p.database::text AS database_name, p.prepared,
               extract(epoch FROM clock_timestamp() - p.prepared)::float8 AS age_seconds
        FROM pg_prepared_xacts p
        ORDER BY p.prepared, p.gid
        LIMIT @limit;
        """;

    public static async Task<Response> ReadAsync(TenantSession session, TimeProvider time, TimeSpan orphanAge, int limit, CancellationToken ct)
    {
        var sessions = new List<RunningSession>();
        var prepared = new List<PreparedEntry>();
        await using var command = session.CreateCommand(Sql);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sessions.Add(ReadSession(reader));
        }

        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var age = reader.GetDouble(reader.GetOrdinal("age_seconds"));
            var transaction = new PreparedTransaction(
                reader.GetString(reader.GetOrdinal("gid")), reader.GetString(reader.GetOrdinal("xid")),
                reader.GetString(reader.GetOrdinal("owner_name")), reader.GetString(reader.GetOrdinal("database_name")),
                reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal("prepared")), age, age >= orphanAge.TotalSeconds);
            var (advice, actions) = SessionKinds.ForPrepared(transaction);
            prepared.Add(new PreparedEntry(transaction.Gid, transaction.TransactionId, transaction.OwnerName, transaction.DatabaseName,
                transaction.PreparedAt, transaction.AgeSeconds, transaction.Orphan, advice, actions));
        }

        return new Response(sessions, prepared, time.GetUtcNow());
    }

    private static RunningSession ReadSession(NpgsqlDataReader reader)
    {
        string? Text(string name) => reader[name] as string;
        double? Number(string name) => reader[name] is double value ? value : null;

        var pid = reader.GetInt32(reader.GetOrdinal("pid"));
        var backendType = Text("backend_type");
        var database = Text("database_name");
        var otherDatabase = reader.GetBoolean(reader.GetOrdinal("other_database"));
        var leaderPid = reader["leader_pid"] is int leader ? leader : (int?)null;
        var (advice, actions) = SessionKinds.ForBackend(pid, backendType, database, otherDatabase, leaderPid,
            reader.GetBoolean(reader.GetOrdinal("anti_wraparound")));
        return new RunningSession(pid, SessionKinds.OfBackend(backendType), backendType, Text("user_name"), database, otherDatabase,
            Text("application_name"), Text("client_addr"), Text("state"), Text("wait_event_type"), Text("wait_event"),
            Number("query_seconds"), Number("transaction_seconds"), Text("query"), leaderPid, advice, actions);
    }
}
