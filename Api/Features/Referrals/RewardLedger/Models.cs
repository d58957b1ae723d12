namespace WedSync.Api.Features.Referrals.RewardLedger;

public sealed class Request
{
    /// <summary>The reward's id, from the route.</summary>
    public Guid Id { get; init; }
}

/// <summary>One transition: from which state, the signed balance changes, who (role and user), when and why.</summary>
public sealed record LedgerEntry(Guid Id, string Transition, string? FromState, long PendingCents, long OwedCents, long PaidCents,
    string ActorRole, Guid? ActorUserId, string Reason, DateTimeOffset CreatedAt);

/// <summary>
/// A reward with its ledger: state, why it waits (holding, review_flagged, review_amount, spend_cap_reached,
/// waiting_first_wedding, waiting_health_score, awaiting_fulfilment), and how often billing was asked to deliver it.
/// </summary>
public sealed record Response(Guid Id, Guid ReferralId, string Side, string Trigger, string RewardType, int AmountCents, string Currency,
    Guid? BeneficiaryUserId, string State, string? WaitReason, DateTimeOffset? HoldUntil, DateTimeOffset? FulfilmentRequestedAt,
    int FulfilmentRequests, IReadOnlyList<LedgerEntry> Entries);
