using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;

namespace WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptionDeliveries;

public sealed class Request
{
    /// <summary>The subscription's id, from the route.</summary>
    public Guid Id { get; init; }

    /// <summary>How many of the newest messages to show, 1..500; 50 when absent.</summary>
    public int? Limit { get; init; }

    public const int DefaultLimit = 50;
}

public sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(r => r.Limit).InclusiveBetween(1, 500).When(r => r.Limit is not null);
}

/// <summary>One try: when, how long (ms), the receiver's HTTP status (null when none came back) and the error.</summary>
public sealed record DeliveryAttempt(int Attempt, DateTimeOffset AttemptedAt, int DurationMs, int? StatusCode, bool Succeeded, string? Error);

/// <summary>
/// One message to the subscription. <c>WebhookId</c> is the webhook-id header of all its attempts.
/// Status pending (next try at <c>NextAttemptAt</c>; held while the subscription is paused),
/// delivered, or failed (attempts ran out).
/// </summary>
public sealed record Delivery(
    Guid WebhookId,
    string MessageType,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? LastError,
    IReadOnlyList<DeliveryAttempt> AttemptLog);

public sealed record Response(AlertSubscription Subscription, IReadOnlyList<Delivery> Deliveries);
