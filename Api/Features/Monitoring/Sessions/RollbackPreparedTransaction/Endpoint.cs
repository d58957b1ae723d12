using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.Sessions.RollbackPreparedTransaction;

/// <summary>Rolls back a prepared transaction (pid 0 in the blocking tree), audited like cancel/terminate.</summary>
public sealed class Endpoint(IConfiguration configuration, ILogger<Endpoint> logger) : MonitoringEndpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/monitoring/prepared-transactions/rollback");
        Summary(s =>
        {
            s.Summary = "Roll back a prepared transaction (platform admins)";
            s.Description = "ROLLBACK PREPARED of a prepared transaction (pg_prepared_xacts), which holds its locks with no backend (pid 0) until "
                + "committed or rolled back, across restarts; no cancel or terminate reaches it. Its work is lost. Runs in the transaction's database "
                + "as the API's login, which must be its owner or a superuser. Recorded as a resolved performance_alert monitoring event "
                + "(action prepared_rollback) naming the target and the actor, only when the rollback worked.";
            s.Responses[StatusCodes.Status200OK] = "Rolled back; its locks are released. The audit event's id.";
            s.Responses[StatusCodes.Status400BadRequest] = "gid is empty or longer than 199 bytes.";
            s.Responses[StatusCodes.Status404NotFound] = "No prepared transaction with this gid (or it ended meanwhile).";
            s.Responses[StatusCodes.Status409Conflict] = "PostgreSQL refused (the API's login is neither owner nor superuser, or the transaction is busy), "
                + "or the transaction's database could not be reached: the detail names the ROLLBACK PREPARED to run by hand.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var (done, refusal) = await PreparedRollback.RollBackAsync(configuration, Session, req.Gid,
            HttpContext.Connection.RemoteIpAddress?.ToString() ?? "", HttpContext.Request.Headers.UserAgent.ToString(), ct);
        if (refusal is not null)
        {
            await Send.ProblemAsync(refusal.Status, refusal.Detail);
            return;
        }

        logger.LogWarning("Prepared transaction {Gid} rolled back by platform admin {UserId} (audit event {EventId})",
            req.Gid, Caller.UserId, done!.AuditEventId);
        await Send.OkAsync(done, ct);
    }
}
