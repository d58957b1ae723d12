using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.Sessions.RollbackPreparedTransaction;

public sealed class Request
{
    /// <summary>The prepared transaction's gid (pg_prepared_xacts.gid, as GET /api/monitoring/locks names it).</summary>
    public string Gid { get; init; } = "";
}

public sealed class Validator : Validator<Request>
{
    // PostgreSQL's gids are at most 199 bytes (GIDSIZE 200 with its terminator).
    public Validator() => RuleFor(r => r.Gid).NotEmpty().Must(g => global::System.Text.Encoding.UTF8.GetByteCount(g) < 200)
        .WithMessage("A gid is at most 199 bytes.");
}

/// <summary>The transaction was rolled back (its locks are released); <c>AuditEventId</c> records it with the acting admin.</summary>
public sealed record Response(string Gid, string DatabaseName, string OwnerName, string Outcome, Guid AuditEventId);
