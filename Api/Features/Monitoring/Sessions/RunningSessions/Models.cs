using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Monitoring.Sessions;

namespace WedSync.Api.Features.Monitoring.Sessions.RunningSessions;

public sealed class Request
{
    /// <summary>At most this many sessions (and prepared transactions), longest-running first; 100 by default.</summary>
    public int Limit { get; init; } = 100;
}

public sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(r => r.Limit).InclusiveBetween(1, 1000);
}

/// <summary>
/// A backend doing something now: a client session not idle (active, idle in transaction...), or an
/// autovacuum worker, walsender or parallel worker. Durations are seconds; the statement is redacted like
/// every monitoring statement text (credentials hidden, at most 500 characters).
/// </summary>
/// <param name="Kind">client, autovacuum, walsender, parallel_worker or background_worker.</param>
/// <param name="QuerySeconds">How long its current (or, when idle in transaction, last) statement has run.</param>
/// <param name="TransactionSeconds">Age of its open transaction.</param>
/// <param name="Actions">cancel and terminate (terminate needs a confirmation) for a client session; a parallel worker's leader to cancel.</param>
public sealed record RunningSession(
    int Pid,
    string Kind,
    string? BackendType,
    string? UserName,
    string? DatabaseName,
    bool OtherDatabase,
    string? ApplicationName,
    string? ClientAddr,
    string? State,
    string? WaitEventType,
    string? WaitEvent,
    double? QuerySeconds,
    double? TransactionSeconds,
    string? Query,
    int? LeaderPid,
    string Advice,
    IReadOnlyList<SessionAction> Actions);

/// <summary>
/// A prepared transaction (pg_prepared_xacts) with what to do about it: it runs nothing but holds its locks, with
/// no backend, until COMMIT/ROLLBACK PREPARED. <c>Orphan</c>: older than Monitoring:PreparedTransactionOrphanAge.
/// </summary>
public sealed record PreparedEntry(
    string Gid,
    string TransactionId,
    string OwnerName,
    string DatabaseName,
    DateTimeOffset PreparedAt,
    double AgeSeconds,
    bool Orphan,
    string Advice,
    IReadOnlyList<SessionAction> Actions);

/// <summary>What runs now, longest first, and every prepared transaction, oldest first.</summary>
public sealed record Response(IReadOnlyList<RunningSession> Sessions, IReadOnlyList<PreparedEntry> PreparedTransactions, DateTimeOffset GeneratedAt);
