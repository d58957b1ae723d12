namespace WedSync.Api.Features.Referrals.Stats;

/// <summary>
/// The caller's referral standing. viralCoefficient is the caller's own K: invites times their
/// conversion rate (for one user, K = conversions ÷ users = converted referrals).
/// </summary>
public sealed record Response(
    long TotalReferrals,
    long SuccessfulReferrals,
    long PendingRewards,
    long EarnedRewards,
    string Currency,
    decimal ViralCoefficient,
    string Tier,
    NextTier? NextTier);

public sealed record NextTier(string Tier, int ConvertedNeeded);
