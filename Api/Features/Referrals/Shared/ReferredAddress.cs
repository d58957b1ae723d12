using System.Globalization;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>
/// An e-mail address as the referral rules receive it: trimmed, lower-cased, with an internationalized
/// domain in its ASCII (<c>xn--</c>) form, so that a domain written in Unicode and in punycode is one
/// domain. Which mailbox an address delivers to (sub-address tags, gmail dots) is decided once, by the
/// database's <c>app.canonical_mailbox</c>, where the unique index lives (README "Referral identities").
/// </summary>
public static class ReferredAddress
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>The address to store and compare, or null when its domain is no valid (internationalized) domain name.</summary>
    public static string? Normalize(string? email)
    {
        var trimmed = email?.Trim();
        var at = trimmed?.LastIndexOf('@') ?? -1;
        if (trimmed is null || at < 1 || at == trimmed.Length - 1)
        {
            return null;
        }

        var domain = trimmed[(at + 1)..];
        try
        {
            domain = Idn.GetAscii(domain.TrimEnd('.'));
        }
        catch (ArgumentException)
        {
            return null;
        }

        return $"{trimmed[..at]}@{domain}".ToLowerInvariant();
    }
}
