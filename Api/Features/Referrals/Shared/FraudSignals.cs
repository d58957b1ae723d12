namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>What the database knows about a new referral before it is written.</summary>
public sealed record FraudSignals(
    DateTimeOffset? AccountCreatedAt,
    bool SameEmailAsReferrer,
    long ReferrerReferralsToday,
    long IpReferralsToday,
    bool AlreadyReferred,
    bool Circular)
{
    public IReadOnlyList<string> BrokenRules(DateTimeOffset now, ReferralOptions limits)
    {
        var rules = new List<string>();
        if (SameEmailAsReferrer)
        {
            rules.Add(FraudRules.SelfReferral);
        }

        if (Circular)
        {
            rules.Add(FraudRules.CircularReferral);
        }

        if (ReferrerReferralsToday >= limits.ReferralsPerReferrerPerDay)
        {
            rules.Add(FraudRules.ReferrerDailyLimit);
        }

        if (IpReferralsToday >= limits.ReferralsPerIpPerDay)
        {
            rules.Add(FraudRules.IpDailyLimit);
        }

        if (AccountCreatedAt is null || now - AccountCreatedAt < TimeSpan.FromDays(FraudRules.MinimumAccountAgeDays))
        {
            rules.Add(FraudRules.NewAccount);
        }

        return rules;
    }
}
