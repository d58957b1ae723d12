using Npgsql;
using WedSync.Api.Platform.Database;

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

    public static RewardTier Read(NpgsqlDataReader reader) => new(
        reader.Get<string>("tier"),
        reader.Get<int>("referrer_signup_cents"),
        reader.Get<int>("referrer_subscription_cents"),
        reader.Get<int>("referee_signup_cents"),
        reader.Get<int>("referee_subscription_cents"),
        reader.Get<string>("currency").Trim(),
        reader.GetOrNull<string>("next_tier"),
        reader.GetNullable<int>("next_tier_min_converted"));

    public int AmountCents(string side, string trigger) => (side, trigger) switch
    {
        ("referrer", "signed_up") => ReferrerSignupCents,
        ("referrer", _) => ReferrerSubscriptionCents,
        (_, "signed_up") => RefereeSignupCents,
        _ => RefereeSubscriptionCents,
    };
}
