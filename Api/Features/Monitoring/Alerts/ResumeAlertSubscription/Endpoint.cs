using FastEndpoints;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.Alerts.ResumeAlertSubscription;

/// <summary>
/// Restarts deliveries to a paused subscription at once, without waiting for its next probe: its failure
/// count starts again at zero and the messages held while it was paused are sent, in order.
/// </summary>
public sealed class Endpoint : MonitoringEndpoint<Request, AlertSubscription>
{
    // The held messages become due now: their backoff grew while nobody could receive them.
    private const string ResumeSql = """
        WITH resumed AS (
            UPDATE webhook_subscriptions SET paused_at = NULL, pause_reason = NULL, consecutive_failures = 0, failing_since = NULL
            WHERE id = @id AND topic = 'monitoring' AND paused_at IS NOT NULL
            RETURNING id
        ), due AS (
            UPDATE webhook_outbox o SET next_attempt_at = now()
            FROM resumed r
            WHERE o.subscription_id = r.id AND o.status = 'pending'
        )
        SELECT count(*) FROM resumed
        """;

    public override void Configure()
    {
        Post("/monitoring/alert-subscriptions/{id}/resume");
        Summary(s =>
        {
            s.Summary = "Resume a paused monitoring alert subscription (platform admins)";
            s.Responses[StatusCodes.Status200OK] = "The subscription, delivering again.";
            s.Responses[StatusCodes.Status404NotFound] = "No alert subscription with this id.";
            s.Responses[StatusCodes.Status409Conflict] = "The subscription is not paused.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        int resumed;
        await using (var command = Session.CreateCommand(ResumeSql))
        {
            command.Parameters.AddWithValue("id", req.Id);
            resumed = (int)(long)(await command.ExecuteScalarAsync(ct))!;
        }

        var subscription = await AlertSubscriptionsData.FindAsync(Session, req.Id, ct);

        if (subscription is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No alert subscription with this id.");
        }
        else if (resumed == 0)
        {
            await Send.ProblemAsync(StatusCodes.Status409Conflict, "This subscription is not paused.");
        }
        else
        {
            await Send.OkAsync(subscription, ct);
        }
    }
}
