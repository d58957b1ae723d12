using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Referrals.Refunds;

public sealed class Request
{
    /// <summary>The referred account's user id at the identity provider (as reported at signup).</summary>
    public Guid ReferredUserId { get; init; }

    /// <summary>refunded or cancelled.</summary>
    public string Event { get; init; } = "";

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>Billing's reference or words, kept in the ledger entries; up to 500 characters.</summary>
    public string? Reason { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Events = ["refunded", "cancelled"];

    public Validator()
    {
        RuleFor(r => r.ReferredUserId).NotEmpty();
        RuleFor(r => r.Event).Must(e => Events.Contains(e)).WithMessage($"Must be one of {string.Join(", ", Events)}.");
        RuleFor(r => r.OccurredAt).NotEmpty()
            .Must(at => at <= DateTimeOffset.UtcNow.AddMinutes(5)).WithMessage("Must not lie in the future.");
        RuleFor(r => r.Reason!).MaximumLength(500).When(r => r.Reason is not null);
    }
}

/// <summary>
/// What the event did to one reward: applied (revoked, or clawed back when it had been delivered), already
/// (an earlier event did), or outside_window (created more than the clawback window before the event: kept).
/// </summary>
public sealed record RewardOutcome(Guid RewardId, string Outcome, string State, Guid? LedgerEntryId);

public sealed record Response(Guid ReferralId, IReadOnlyList<RewardOutcome> Rewards);
