using FastEndpoints;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Alerts.ListAlertSubscriptions;

/// <summary>Every monitoring alert subscription, oldest first, with its failure count and pause state (no secrets).</summary>
public sealed class Endpoint : MonitoringEndpoint<EmptyRequest, Response>
{
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
        await Send.OkAsync(new Response(await AlertSubscriptionsData.ListAsync(Session, ct)), ct);
    }
}
