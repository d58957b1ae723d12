namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>
/// The WS-170 fraud rules and their weights. Weights combine like independent probabilities
/// (1 - Π(1 - w)): one rule above 0.8 rejects on its own, a young account alone is only flagged,
/// and two weaker signals together reject.
/// </summary>
public static class FraudRules
{
    public const string NewAccount = "new_account";
    public const string ReferrerDailyLimit = "referrer_daily_limit";
    public const string IpDailyLimit = "ip_daily_limit";
    public const string SelfReferral = "self_referral";
    public const string CircularReferral = "circular_referral";
    public const string AlreadyReferred = "already_referred";
    public const string ConversionWindowClosed = "conversion_window_closed";

    /// <summary>The conversion happened before the referral existed: the referral cannot have caused it.</summary>
    public const string ConversionBeforeReferral = "conversion_before_referral";

    /// <summary>Clock difference tolerated between the reporting service and the database.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public const decimal RejectAbove = 0.8m;
    public const decimal FlagAbove = 0.7m;

    public const int MinimumAccountAgeDays = 7;
    public const int ConversionWindowDays = 30;

    private static readonly Dictionary<string, decimal> Weights = new()
    {
        [SelfReferral] = 1.0m,
        [CircularReferral] = 0.95m,
        [ReferrerDailyLimit] = 0.9m,
        [IpDailyLimit] = 0.85m,
        [NewAccount] = 0.75m,
    };

    public static decimal Score(IEnumerable<string> reasons)
    {
        var clean = reasons.Aggregate(1.0m, (keep, reason) => keep * (1 - Weights.GetValueOrDefault(reason)));
        return Math.Round(1 - clean, 2);
    }
}
