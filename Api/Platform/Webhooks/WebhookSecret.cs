using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// A Standard Webhooks symmetric secret: <c>whsec_</c> followed by the base64 of 24 to 64 random bytes
/// (the specification's bounds); the decoded bytes are the HMAC-SHA256 key.
/// </summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;

    /// <summary>A new secret with a 32-byte key from the OS's cryptographic generator.</summary>
    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool TryGetKey(string? secret, [NotNullWhen(true)] out byte[]? key)
    {
        key = null;
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = secret[Prefix.Length..];
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, buffer, out var length) || length is < MinKeyBytes or > MaxKeyBytes)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }

    public static byte[] KeyOf(string secret) =>
        TryGetKey(secret, out var key) ? key : throw new FormatException("Not a Standard Webhooks secret (whsec_<base64>).");
}
