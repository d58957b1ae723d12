using FastEndpoints;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Alerts.ListAlertSubscriptions;

/// <summary>Every monitoring alert subscription, oldest first, with its failure count and pause state (no secrets).</summary>
public sealed class Endpoint : MonitoringEndpoint<EmptyRequest, Response>
{
    private const string Sql = $"SELECT {AlertSubscription.Columns} FROM {AlertSubscription.From} ORDER BY s.created_at, s.id";

    public override void Configure()
    {
        Get("/monitoring/alert-subscriptions");
        Summary(s =>
        {
            s.Summary = "Monitoring alert subscriptions (platform admins)";
            s.Description = "Signing secrets are never shown here: only once, in the response that created the subscription.";
        });
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        var items = new List<AlertSubscription>();
        await using var command = Session.CreateCommand(Sql);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(AlertSubscription.Read(reader));
            }
        }

        await Send.OkAsync(new Response(items), ct);
    }
}
