namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// A webhook_outbox row claimed for one attempt, with where it goes. <paramref name="Attempt"/> counts
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

/// <summary>What one attempt came to: the receiver's status (null when none came back) and any error text.</summary>
public sealed record DeliveryOutcome(bool Succeeded, int? StatusCode, string? Error, DateTimeOffset AttemptedAt, TimeSpan Duration);
