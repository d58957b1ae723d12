using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>The <c>Referrals</c> configuration section.</summary>
public sealed class ReferralOptions
{
    public const string SectionName = "Referrals";

    /// <summary>Where share links lead; <c>/r/{code}</c> redirects only here.</summary>
    [Required]
    [Url]
    public string SignupUrl { get; set; } = "https://app.wedsync.example/signup";

    /// <summary>Codes one user may create in an hour before 429 (WS-170: 10).</summary>
    [Range(1, 100_000)]
    public int CodesPerHour { get; set; } = 10;

    /// <summary>Referrals one referrer may make in a day before the fraud rule trips (WS-170: 10).</summary>
    [Range(1, 100_000)]
    public int ReferralsPerReferrerPerDay { get; set; } = 10;

    /// <summary>
    /// Referrals from one client IP in a day before the fraud rule trips (WS-170: 5). Raise it where
    /// many users share one address (an office behind NAT, a load test).
    /// </summary>
    [Range(1, 100_000_000)]
    public int ReferralsPerIpPerDay { get; set; } = 5;

    public string ShareUrl(string code) => $"{SignupUrl}?ref={Uri.EscapeDataString(code)}";
}
