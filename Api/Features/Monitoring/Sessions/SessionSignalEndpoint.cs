using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.Sessions;

/// <summary>
/// Cancels or terminates another client backend through monitoring_signal_backend, which checks the
/// target, signals it with the owner's rights and records the audit event naming the caller, all in the
/// request's transaction. Only the signal itself cannot be rolled back, so it is sent last.
/// </summary>
public abstract class SessionSignalEndpoint(ILogger logger) : MonitoringEndpoint<SessionSignalRequest, SessionSignalResponse>
{
    /// <summary>cancel (pg_cancel_backend: the running statement ends) or terminate (pg_terminate_backend: the connection ends).</summary>
    protected abstract string Action { get; }

    protected void Describe(string summary, string effect)
    {
        Post($"/monitoring/sessions/{{pid}}/{Action}");
        Summary(s =>
        {
            s.Summary = summary;
            s.Description = effect + " Only client backends of other sessions can be signalled; every signal is recorded as a resolved "
                + "performance_alert monitoring event whose eventData names the action, the target (redacted statement) and the actor (user id and e-mail from the token).";
            s.Responses[StatusCodes.Status200OK] = "Signalled (or the backend ended meanwhile); the audit event's id.";
            s.Responses[StatusCodes.Status400BadRequest] = "pid is not a non-negative integer.";
            s.Responses[StatusCodes.Status404NotFound] = "No backend with this pid.";
            s.Responses[StatusCodes.Status409Conflict] = "The pid is 0 (a prepared transaction: the detail names pg_prepared_xacts and ROLLBACK PREPARED) or not a client backend "
                + "(autovacuum, walsender, parallel worker, background worker: the detail says what it is and what to do instead), "
                + "or is this request's own session, or the database refused to signal it.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    protected override async Task HandleAsAdminAsync(SessionSignalRequest req, CancellationToken ct)
    {
        var (status, eventId, refusal) = await SessionSignal.SendAsync(Session, req.Pid, Action,
            HttpContext.Connection.RemoteIpAddress?.ToString() ?? "", HttpContext.Request.Headers.UserAgent.ToString(), ct);
        if (refusal is not null)
        {
            await Send.ProblemAsync(refusal.Status, refusal.Detail);
            return;
        }

        logger.LogWarning("Backend {Pid} {Action}: {Outcome} by platform admin {UserId} (audit event {EventId})",
            req.Pid, Action, status, Caller.UserId, eventId);
        await Send.OkAsync(new SessionSignalResponse(req.Pid, Action, status, eventId!.Value), ct);
    }
}
