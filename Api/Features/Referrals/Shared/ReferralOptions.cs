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

    public string ShareUrl(string code) => $"{SignupUrl}?ref={Uri.EscapeDataString(code)}";
}
