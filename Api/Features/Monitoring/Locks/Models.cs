namespace WedSync.Api.Features.Monitoring.Locks;

/// <summary>
/// A session in a blocking chain: it waits for a lock (<c>BlockedBy</c> not empty), holds one others
/// wait for (<c>Blocking</c> not empty), or both. Durations are seconds; the statement is redacted like
/// every monitoring statement text (credentials hidden, at most 500 characters).
/// </summary>
/// <param name="Pid">The backend's process id (0: a prepared transaction, which has no backend).</param>
/// <param name="BlockedBy">Pids this session waits for (pg_blocking_pids).</param>
/// <param name="Blocking">Pids waiting for this session.</param>
/// <param name="WaitingFor">The lock it waits for, e.g. "relation AccessExclusiveLock on public.invoices"; null when not waiting.</param>
/// <param name="WaitingSeconds">How long it has waited in its current state; null when not waiting.</param>
/// <param name="TransactionSeconds">Age of its open transaction: how long a blocker has held its locks.</param>
/// <param name="QuerySeconds">Age of its current (or, when idle in transaction, last) statement.</param>
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
    string? Query);

/// <summary>The blocking tree: roots hold locks and wait for nobody; every session of a chain is listed once.</summary>
public sealed record Response(IReadOnlyList<int> RootBlockers, IReadOnlyList<LockedSession> Sessions, DateTimeOffset GeneratedAt);
