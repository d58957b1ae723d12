using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.Sessions;

public sealed class SessionSignalRequest
{
    /// <summary>The backend's process id, from the route (as GET /api/monitoring/locks shows it).</summary>
    public int Pid { get; init; }
}

public sealed class SessionSignalValidator : Validator<SessionSignalRequest>
{
    // 0 passes: it stands for a prepared transaction, and the endpoint answers what to do about one.
    public SessionSignalValidator() => RuleFor(r => r.Pid).GreaterThanOrEqualTo(0);
}

/// <summary>
/// What happened: <c>Outcome</c> signalled (the signal was sent) or gone (the backend ended before it
/// arrived); <c>AuditEventId</c> is the monitoring event that records it with the acting admin.
/// </summary>
public sealed record SessionSignalResponse(int Pid, string Action, string Outcome, Guid AuditEventId);
