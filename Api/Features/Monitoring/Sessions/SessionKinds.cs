using System.Globalization;

namespace WedSync.Api.Features.Monitoring.Sessions;

/// <summary>
/// What a lock holder or running process is and what an operator can do about it, for every kind the
/// server has: client sessions (of this or another database), prepared transactions (no backend: pid 0),
/// autovacuum workers, walsenders, parallel workers and other server processes.
/// </summary>
public static class SessionKinds
{
    public const string Client = "client";
    public const string PreparedTransaction = "prepared_transaction";
    public const string Autovacuum = "autovacuum";
    public const string Walsender = "walsender";
    public const string ParallelWorker = "parallel_worker";
    public const string BackgroundWorker = "background_worker";
    public const string ServerProcess = "server_process";
    public const string Gone = "gone";

    public const string RollbackPath = "/api/monitoring/prepared-transactions/rollback";

    /// <summary>The kind of a backend from pg_stat_activity.backend_type (null: it ended meanwhile).</summary>
    public static string OfBackend(string? backendType) => backendType switch
    {
        null => Gone,
        "client backend" => Client,
        "autovacuum worker" => Autovacuum,
        "walsender" => Walsender,
        "parallel worker" => ParallelWorker,
        _ when backendType.Contains("worker", StringComparison.Ordinal) => BackgroundWorker,
        _ => ServerProcess,
    };

    /// <summary>The actions the API offers for a backend, and in words what to do about it.</summary>
    public static (string Advice, IReadOnlyList<SessionAction> Actions) ForBackend(
        int pid, string? backendType, string? databaseName, bool otherDatabase, int? leaderPid, bool antiWraparound)
    {
        var kind = OfBackend(backendType);
        switch (kind)
        {
            case Client:
                var where = otherDatabase ? $"A client session of another database ({databaseName}): cancel or terminate reach it all the same. " : "";
                return (where + "Cancel ends its running statement; terminate ends its connection and rolls back its transaction.",
                    [Signal(pid, "cancel", false), Signal(pid, "terminate", true)]);
            case ParallelWorker when leaderPid is { } leader:
                return ($"A parallel worker of backend {leader}: cancel the leader, which stops its workers with it.",
                    [Signal(leader, "cancel", false) with { Name = "cancel_leader" }]);
            case ParallelWorker:
                return ("A parallel worker whose leader has ended: it stops by itself.", []);
            case Autovacuum when antiWraparound:
                return ("An anti-wraparound autovacuum (to prevent wraparound): it does not give way to lock requests and must not be stopped; "
                    + "terminated, it starts again at once. Wait for it, or lower its cost delay.", []);
            case Autovacuum:
                return ("An autovacuum worker: it cancels itself after deadlock_timeout when it blocks a lock request, and terminating it only "
                    + "postpones the vacuum (dead rows keep growing). Leave it, or disable autovacuum on the table for the operation.", []);
            case Walsender:
                return ("A WAL sender serving a replica or a logical subscriber: ending it breaks replication. See pg_stat_replication and "
                    + "pg_replication_slots; fix or drop the replica or slot instead.", []);
            case BackgroundWorker:
                return ($"A background worker ({backendType}): the server or an extension runs it; stop it through what started it "
                    + "(the subscription, the extension), not by a signal.", []);
            case Gone:
                return ("The backend ended meanwhile.", []);
            default:
                return ($"A server process ({backendType}): it is left alone.", []);
        }
    }

    /// <summary>What to do about a prepared transaction: ROLLBACK PREPARED, an orphan named as such.</summary>
    public static (string Advice, IReadOnlyList<SessionAction> Actions) ForPrepared(PreparedTransaction prepared)
    {
        var sql = RollbackSql(prepared.Gid);
        var advice = prepared.Orphan
            ? $"An orphaned prepared transaction (prepared {Age(prepared.AgeSeconds)} ago, no backend: pid 0; see pg_prepared_xacts): "
                + $"no coordinator finished it, and its locks stay, across restarts, until it is rolled back: {sql} in database {prepared.DatabaseName}."
            : $"A prepared transaction (two-phase commit, no backend: pid 0; see pg_prepared_xacts): no signal reaches it; its coordinator "
                + $"should COMMIT or ROLLBACK PREPARED it soon. If none will, {sql} in database {prepared.DatabaseName}.";
        return (advice, [new SessionAction("rollback_prepared", "POST", RollbackPath, sql, true, null)]);
    }

    /// <summary>ROLLBACK PREPARED with the gid as a standard SQL literal (standard_conforming_strings is on since 9.1).</summary>
    public static string RollbackSql(string gid) => $"ROLLBACK PREPARED {Literal(gid)}";

    public static string Literal(string gid) => $"'{gid.Replace("'", "''", StringComparison.Ordinal)}'";

    private static SessionAction Signal(int pid, string action, bool confirm) =>
        new(action, "POST", string.Create(CultureInfo.InvariantCulture, $"/api/monitoring/sessions/{pid}/{action}"), null, confirm, pid);

    private static string Age(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)).ToString("c", CultureInfo.InvariantCulture);
}
