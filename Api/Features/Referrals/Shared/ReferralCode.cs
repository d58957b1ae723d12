using System.Security.Cryptography;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>Referral codes: 8 characters of A-Z0-9 from a cryptographically secure source.</summary>
public static class ReferralCode
{
    public const int Length = 8;
    public const int MinInputLength = 4;
    public const int MaxInputLength = 20;
    public const string Pattern = "^[A-Za-z0-9]{4,20}$";

    private static readonly char[] Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".ToCharArray();

    public static string New() => new(RandomNumberGenerator.GetItems<char>(Alphabet, Length));

    /// <summary>Input is accepted in any case; codes are stored upper-case.</summary>
    public static string Normalize(string input) => input.Trim().ToUpperInvariant();
}
