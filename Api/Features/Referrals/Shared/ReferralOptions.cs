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

    /// <summary>
    /// Days after a referral's creation in which a conversion is attributed to it (the referral trade's
    /// common 30-day window); a conversion before the referral existed is never attributed.
    /// </summary>
    [Range(1, 3650)]
    public int AttributionWindowDays { get; set; } = FraudRules.ConversionWindowDays;

    /// <summary>
    /// Where this API's <c>/r/{code}</c> is reached from outside (https://wedsync.example); unset, the
    /// request's own scheme and host (the client's, behind a trusted proxy).
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    /// <summary>How often rewards whose hold is over are decided and unacknowledged fulfilments are sent again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan RewardSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An approved reward billing has not acknowledged (POST .../fulfilled) this long after the last request is requested again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan FulfilmentResendAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>referral.clicked is aggregated: at most one message per referral per this window, with the clicks since the last one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ClickReportWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where <c>/r/{code}</c> redirects after counting the click.</summary>
    public string SignupLink(string code) => $"{SignupUrl}?ref={Uri.EscapeDataString(code)}";

    /// <summary>
    /// The link to share: the counted <c>/r/{code}</c>, never the sign-up page itself (a click on that
    /// would reach sign-up without ever being counted).
    /// </summary>
    public string ShareLink(HttpRequest request, string code) =>
        $"{(PublicBaseUrl ?? $"{request.Scheme}://{request.Host}").TrimEnd('/')}/r/{Uri.EscapeDataString(code)}";
}
