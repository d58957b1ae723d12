using FastEndpoints;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.Alerts.DeleteAlertSubscription;

/// <summary>Ends a subscription; its undelivered messages and its delivery log go with it.</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, EmptyResponse>
{
    private const string Sql = $"DELETE FROM webhook_subscriptions WHERE id = @id AND topic = '{AlertSubscription.Topic}'";

    public override void Configure()
    {
        Delete("/monitoring/alert-subscriptions/{id}");
        Summary(s =>
        {
            s.Summary = "Delete a monitoring alert subscription (platform admins)";
            s.Responses[StatusCodes.Status204NoContent] = "Deleted, with its pending messages and delivery log.";
            s.Responses[StatusCodes.Status404NotFound] = "No alert subscription with this id.";
        });
        Description(b => b.ClearDefaultProduces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(Sql);
        command.Parameters.AddWithValue("id", req.Id);
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No alert subscription with this id.");
            return;
        }

        await Send.NoContentAsync(ct);
    }
}
