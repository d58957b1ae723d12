using Npgsql;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>A row of the tier table, chosen by the referrer's converted referrals at the time asked.</summary>
public sealed record RewardTier(
    string Tier,
    int ReferrerSignupCents,
    int ReferrerSubscriptionCents,
    int RefereeSignupCents,
    int RefereeSubscriptionCents,
    string Currency,
    string? NextTier,
    int? NextTierMinConverted)
{
    public const string Columns = """
        tier, referrer_signup_cents, referrer_subscription_cents, referee_signup_cents,
        referee_subscription_cents, currency, next_tier, next_tier_min_converted
        """;

    public static RewardTier Read(NpgsqlDataReader reader, int offset = 0) => new(
        reader.GetString(offset),
        reader.GetInt32(offset + 1),
        reader.GetInt32(offset + 2),
        reader.GetInt32(offset + 3),
        reader.GetInt32(offset + 4),
        reader.GetString(offset + 5).Trim(),
        reader.IsDBNull(offset + 6) ? null : reader.GetString(offset + 6),
        reader.IsDBNull(offset + 7) ? null : reader.GetInt32(offset + 7));

    public int AmountCents(string side, string trigger) => (side, trigger) switch
    {
        ("referrer", "signed_up") => ReferrerSignupCents,
        ("referrer", _) => ReferrerSubscriptionCents,
        (_, "signed_up") => RefereeSignupCents,
        _ => RefereeSubscriptionCents,
    };
}
