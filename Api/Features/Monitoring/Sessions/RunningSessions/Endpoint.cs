using FastEndpoints;
using Microsoft.Extensions.Options;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sessions.RunningSessions;

/// <summary>What runs now, server-wide, whether or not it blocks anyone: the list to cancel a lone runaway query from.</summary>
public sealed class Endpoint(TimeProvider time, IOptions<MonitoringOptions> options) : MonitoringEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/monitoring/sessions");
        Summary(s =>
        {
            s.Summary = "Running now: every busy session, longest first, with cancel/terminate (platform admins)";
            s.Description = "Client sessions that are not idle (active, idle in transaction...), of every database, with duration, state, wait event, "
                + "role, database and application_name; autovacuum workers, walsenders and parallel workers with what they are and what to do instead "
                + "of a signal; and every prepared transaction (pg_prepared_xacts) with ROLLBACK PREPARED, orphan when older than "
                + "Monitoring:PreparedTransactionOrphanAge. Each client session's actions are POST /api/monitoring/sessions/{pid}/cancel and "
                + "/terminate (terminate loses the session's transaction: confirm first). Statements are redacted (credentials) and truncated to 500 characters.";
            s.Responses[StatusCodes.Status400BadRequest] = "limit is not between 1 and 1000.";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct) =>
        await Send.OkAsync(await RunningNow.ReadAsync(Session, time, options.Value.PreparedTransactionOrphanAge, req.Limit, ct), ct);
}
