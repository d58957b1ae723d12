using WedSync.Api.Features.Monitoring.Sessions;

namespace WedSync.Api.Features.Monitoring.Sessions.Locks;

/// <summary>
/// A session in a blocking chain: it waits for a lock (<c>BlockedBy</c> or <c>BlockedByPrepared</c> not empty),
/// holds one others wait for (<c>Blocking</c> not empty), or both. Durations are seconds; the statement is
/// redacted like every monitoring statement text (credentials hidden, at most 500 characters).
/// </summary>
/// <param name="Pid">The backend's process id; 0 for a prepared transaction, which has no backend (<c>PreparedTransaction</c> names it).</param>
/// <param name="BlockedBy">Backend pids this session waits for (pg_blocking_pids, without the 0 of prepared transactions).</param>
/// <param name="Blocking">Pids waiting for this session (or prepared transaction).</param>
/// <param name="DatabaseName">The session's database; <c>OtherDatabase</c> when it is not the API's.</param>
/// <param name="WaitingFor">The lock it waits for, e.g. "relation AccessExclusiveLock on public.invoices"; null when not waiting.</param>
/// <param name="WaitingSeconds">How long it has waited in its current state; null when not waiting.</param>
/// <param name="TransactionSeconds">Age of its open (or prepared) transaction: how long a blocker has held its locks.</param>
/// <param name="QuerySeconds">Age of its current (or, when idle in transaction, last) statement.</param>
/// <param name="Kind">client, prepared_transaction, autovacuum, walsender, parallel_worker, background_worker, server_process or gone.</param>
/// <param name="LeaderPid">A parallel worker's leader backend.</param>
/// <param name="BlockedByPrepared">Gids of the prepared transactions this session waits for.</param>
/// <param name="Advice">What it is and what to do about it, in words.</param>
/// <param name="Actions">The API calls that apply (none for autovacuum, walsenders and server processes).</param>
public sealed record LockedSession(
    int Pid,
    IReadOnlyList<int> BlockedBy,
    IReadOnlyList<int> Blocking,
    string? UserName,
    string? DatabaseName,
    string? ApplicationName,
    string? ClientAddr,
    string? BackendType,
    string? State,
    string? WaitEventType,
    string? WaitEvent,
    string? WaitingFor,
    double? WaitingSeconds,
    double? TransactionSeconds,
    double? QuerySeconds,
    string? Query,
    string Kind,
    bool OtherDatabase,
    int? LeaderPid,
    IReadOnlyList<string> BlockedByPrepared,
    PreparedTransaction? PreparedTransaction,
    string Advice,
    IReadOnlyList<SessionAction> Actions);

/// <summary>
/// The blocking tree: roots hold locks and wait for nobody; every session of a chain is listed once.
/// <c>RootBlockers</c> are backend pids; <c>RootPreparedTransactions</c> the gids of prepared transactions at a chain's top.
/// </summary>
public sealed record Response(
    IReadOnlyList<int> RootBlockers,
    IReadOnlyList<LockedSession> Sessions,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<string> RootPreparedTransactions);
