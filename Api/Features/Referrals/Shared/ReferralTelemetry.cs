using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>The viral loop as numbers: meter and span source <c>WedSync.Referrals</c>.</summary>
public static class ReferralTelemetry
{
    public const string Name = "WedSync.Referrals";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> CodesCreated = Meter.CreateCounter<long>("wedsync.referrals.codes.created", "{code}");
    public static readonly Counter<long> Shares = Meter.CreateCounter<long>("wedsync.referrals.shares", "{share}");
    public static readonly Counter<long> Clicks = Meter.CreateCounter<long>("wedsync.referrals.clicks", "{click}");
    public static readonly Counter<long> Conversions = Meter.CreateCounter<long>("wedsync.referrals.conversions", "{conversion}");
    public static readonly Counter<long> RewardsGrantedCents = Meter.CreateCounter<long>("wedsync.referrals.rewards.granted", "{cent}", "Reward amounts granted, in cents");
    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("wedsync.referrals.rejected", "{referral}", "Referrals rejected, by fraud rule");
    public static readonly Counter<long> Flagged = Meter.CreateCounter<long>("wedsync.referrals.flagged", "{referral}", "Referrals created but flagged for review, by fraud rule");

    public static void CountByRule(Counter<long> counter, IEnumerable<string> rules)
    {
        foreach (var rule in rules)
        {
            counter.Add(1, new KeyValuePair<string, object?>("rule", rule));
        }
    }
}
