using Npgsql;

namespace WedSync.Tests.Schema.Isolation;

/// <summary>What one statement did: rows affected, or the error PostgreSQL refused it with.</summary>
public sealed record StatementOutcome(int RowsAffected, PostgresException? Error)
{
    /// <summary>insufficient_privilege: both a missing grant and a row-level security violation.</summary>
    public const string InsufficientPrivilege = "42501";

    public bool Denied => Error?.SqlState == InsufficientPrivilege;

    public bool DeniedOrNoRows => Denied || (Error is null && RowsAffected == 0);

    public override string ToString() => Error is null
        ? $"succeeded, {RowsAffected} row(s) affected"
        : $"failed {Error.SqlState}: {Error.MessageText}";
}
