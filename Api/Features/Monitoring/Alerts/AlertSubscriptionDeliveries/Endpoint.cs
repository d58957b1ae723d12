using System.Text.Json;
using FastEndpoints;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptionDeliveries;

/// <summary>The delivery log of one subscription: its newest messages, each with every attempt.</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    private const string DeliveriesSql = """
        SELECT o.id, o.message_type, o.status, o.attempts, o.created_at,
               CASE WHEN o.status = 'pending' THEN o.next_attempt_at END,
               o.delivered_at, o.last_error,
               coalesce((
                   SELECT json_agg(json_build_object(
                       'attempt', a.attempt, 'attemptedAt', a.attempted_at, 'durationMs', a.duration_ms,
                       'statusCode', a.status_code, 'succeeded', a.succeeded, 'error', a.error) ORDER BY a.attempt, a.id)
                   FROM webhook_delivery_attempts a WHERE a.outbox_id = o.id), '[]')::text
        FROM webhook_outbox o
        WHERE o.subscription_id = @id
        ORDER BY o.created_at DESC, o.id
        LIMIT @limit
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public override void Configure()
    {
        Get("/monitoring/alert-subscriptions/{id}/deliveries");
        Summary(s =>
        {
            s.Summary = "Delivery log of a monitoring alert subscription (platform admins)";
            s.Description = "The newest messages first (limit, default 50), each with its status, attempts, next retry (pending only) and every attempt's HTTP status or error.";
            s.Responses[StatusCodes.Status200OK] = "The subscription and its newest messages.";
            s.Responses[StatusCodes.Status404NotFound] = "No alert subscription with this id.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var subscription = await AlertSubscriptionsData.FindAsync(Session, req.Id, ct);

        if (subscription is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No alert subscription with this id.");
            return;
        }

        var deliveries = new List<Delivery>();
        await using (var command = Session.CreateCommand(DeliveriesSql))
        {
            command.Parameters.AddWithValue("id", req.Id);
            command.Parameters.AddWithValue("limit", req.Limit ?? Request.DefaultLimit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                deliveries.Add(new Delivery(
                    reader.GetGuid(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetInt32(3),
                    reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    JsonSerializer.Deserialize<DeliveryAttempt[]>(reader.GetString(8), Json) ?? []));
            }
        }

        await Send.OkAsync(new Response(subscription, deliveries), ct);
    }
}
