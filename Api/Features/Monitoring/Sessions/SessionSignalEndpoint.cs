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
    private const string Sql = """
        SELECT set_config('request.client_ip', @ip, true), set_config('request.user_agent', @agent, true);
        SELECT status, event_id FROM monitoring_signal_backend(@pid, @action);
        """;

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
            s.Responses[StatusCodes.Status400BadRequest] = "pid is not a positive integer.";
            s.Responses[StatusCodes.Status404NotFound] = "No backend with this pid.";
            s.Responses[StatusCodes.Status409Conflict] = "The pid is not a client backend (autovacuum, walsender, background worker...) or is this request's own session, or the database refused to signal it.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    protected override async Task HandleAsAdminAsync(SessionSignalRequest req, CancellationToken ct)
    {
        string status;
        Guid? eventId;
        await using (var command = Session.CreateCommand(Sql))
        {
            command.Parameters.AddWithValue("ip", HttpContext.Connection.RemoteIpAddress?.ToString() ?? "");
            command.Parameters.AddWithValue("agent", HttpContext.Request.Headers.UserAgent.ToString());
            command.Parameters.AddWithValue("pid", req.Pid);
            command.Parameters.AddWithValue("action", Action);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            status = reader.GetString(0);
            eventId = reader.IsDBNull(1) ? null : reader.GetGuid(1);
        }

        switch (status)
        {
            case "not_found":
                await Send.ProblemAsync(StatusCodes.Status404NotFound, $"No backend with pid {req.Pid}.");
                return;
            case "own_session":
                await Send.ProblemAsync(StatusCodes.Status409Conflict, "That is this request's own session.");
                return;
            case "not_client":
                await Send.ProblemAsync(StatusCodes.Status409Conflict, $"Backend {req.Pid} is not a client session (autovacuum, replication or another server process); it is left alone.");
                return;
            case "not_permitted":
                await Send.ProblemAsync(StatusCodes.Status409Conflict, $"The database refused to signal backend {req.Pid} (a superuser's session needs a superuser).");
                return;
        }

        logger.LogWarning("Backend {Pid} {Action}: {Outcome} by platform admin {UserId} (audit event {EventId})",
            req.Pid, Action, status, Caller.UserId, eventId);
        await Send.OkAsync(new SessionSignalResponse(req.Pid, Action, status, eventId!.Value), ct);
    }
}
