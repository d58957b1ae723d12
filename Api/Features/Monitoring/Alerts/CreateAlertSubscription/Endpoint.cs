using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Webhooks;

namespace WedSync.Api.Features.Monitoring.Alerts.CreateAlertSubscription;

/// <summary>
/// Subscribes a webhook receiver to monitoring events: from the next matching event on, each one is
/// written to the outbox with the event and delivered, signed, at least once.
/// </summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    private const string InsertSql = $"""
        WITH s AS (
            INSERT INTO webhook_subscriptions (topic, url, signing_secret, format, created_by)
            VALUES ('{AlertSubscription.Topic}', @url, @secret, @format, app.current_user_id())
            RETURNING id
        ), f AS (
            INSERT INTO monitoring_alert_filters (subscription_id, minimum_severity, event_types)
            SELECT id, @severity, @types FROM s
            RETURNING subscription_id
        )
        SELECT subscription_id FROM f
        """;

    public override void Configure()
    {
        Post("/monitoring/alert-subscriptions");
        Summary(s =>
        {
            s.Summary = "Subscribe a webhook receiver to monitoring events (platform admins)";
            s.Description = "Every event of minimumSeverity or above (and of eventTypes, when given) is POSTed to url, signed as Standard Webhooks describe: "
                + "headers webhook-id (the same on every retry of one message), webhook-timestamp (Unix seconds) and webhook-signature "
                + "(v1,<base64 HMAC-SHA256 of \"{id}.{timestamp}.{body}\" keyed with the base64-decoded part of the secret after whsec_). "
                + "Messages go one at a time, in order; a 2xx answer is a delivery, anything else is retried with exponential backoff while the later messages wait. "
                + "A subscription failing Webhooks:PauseAfterFailures times in a row over at least Webhooks:PauseAfterFailingFor is paused, probed every Webhooks:ProbeInterval "
                + "with its oldest message and resumed when that succeeds; nothing queued is dropped. "
                + "Loopback, private, link-local, metadata, unspecified and multicast addresses are refused here and again when delivering, after DNS resolution. "
                + "The secret is returned in this response only.";
            s.Responses[StatusCodes.Status201Created] = "The subscription and its signing secret (shown this once).";
            s.Responses[StatusCodes.Status400BadRequest] = "URL not absolute http(s) or an internal address (the rule is named), unknown severity, event type or format, or a secret not in whsec_<base64> form; nothing is stored.";
        });
        Description(b => b.ClearDefaultProduces(StatusCodes.Status200OK).Produces<Response>(StatusCodes.Status201Created, "application/json"));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var secret = req.Secret ?? WebhookSecret.Generate();
        Guid id;
        await using (var command = Session.CreateCommand(InsertSql))
        {
            command.Parameters.AddWithValue("url", req.Url!);
            command.Parameters.AddWithValue("secret", secret);
            command.Parameters.AddWithValue("format", req.Format ?? WebhookBody.Standard);
            command.Parameters.AddWithValue("severity", req.MinimumSeverity!);
            command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = (object?)req.EventTypes?.Distinct(StringComparer.Ordinal).ToArray() ?? DBNull.Value,
            });
            id = (Guid)(await command.ExecuteScalarAsync(ct))!;
        }

        var created = (await AlertSubscriptionsData.FindAsync(Session, id, ct))!;

        await Send.ResponseAsync(new Response(created, secret), StatusCodes.Status201Created, ct);
    }
}
