namespace WedSync.Api.Features.Monitoring.Sessions;

/// <summary>
/// An action the API offers for a session or prepared transaction. <c>Sql</c> is what an operator would
/// run by hand instead (ROLLBACK PREPARED); <c>NeedsConfirmation</c> marks the ones that lose work.
/// </summary>
/// <param name="Name">cancel, terminate, cancel_leader (a parallel worker's leader) or rollback_prepared.</param>
/// <param name="Method">The HTTP method of <paramref name="Path"/>.</param>
/// <param name="Path">The API call that does it (rollback_prepared: send the gid in the body).</param>
/// <param name="Pid">The backend the call signals (a parallel worker's leader for cancel_leader); null for rollback_prepared.</param>
public sealed record SessionAction(string Name, string Method, string Path, string? Sql, bool NeedsConfirmation, int? Pid);

/// <summary>
/// A prepared transaction (pg_prepared_xacts): it holds its locks with no backend (pid 0) until
/// COMMIT/ROLLBACK PREPARED, across restarts. <c>Orphan</c>: older than Monitoring:PreparedTransactionOrphanAge.
/// </summary>
public sealed record PreparedTransaction(
    string Gid,
    string TransactionId,
    string OwnerName,
    string DatabaseName,
    DateTimeOffset PreparedAt,
    double AgeSeconds,
    bool Orphan);
