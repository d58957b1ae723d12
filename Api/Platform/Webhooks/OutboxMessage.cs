namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// A webhook_outbox row taken for one attempt, with where it goes. <paramref name="Attempt"/> counts
/// this attempt (1 for the first); <paramref name="Payload"/> is the standard body's JSON text.
/// </summary>
public sealed record OutboxMessage(
    Guid Id,
    Guid SubscriptionId,
    string MessageType,
    string Payload,
    string Summary,
    int Attempt,
    string Url,
    string SigningSecret,
    string Format);

/// <summary>
/// One subscription's queue as a worker holds it: its oldest pending messages in order (only the oldest,
/// as a probe, while paused) and the failure streak the next failure extends.
/// </summary>
public sealed record SubscriptionRun(Guid SubscriptionId, bool Paused, int ConsecutiveFailures, IReadOnlyList<OutboxMessage> Messages);

/// <summary>What one attempt came to: the receiver's status (null when none came back) and a generic error category.</summary>
public sealed record DeliveryOutcome(bool Succeeded, int? StatusCode, string? Error, DateTimeOffset AttemptedAt, TimeSpan Duration);
