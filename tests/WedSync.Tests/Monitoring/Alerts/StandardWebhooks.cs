using System.Security.Cryptography;
using System.Text;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// A receiver's check of a Standard Webhooks signature, written from the specification (not from the
/// API's code): HMAC-SHA256 keyed with the base64-decoded secret after <c>whsec_</c>, over
/// "{webhook-id}.{webhook-timestamp}.{body}", compared with each space-separated <c>v1,</c> signature.
/// </summary>
public static class StandardWebhooks
{
    public static bool Verifies(string secret, ReceivedWebhook webhook)
    {
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhook.Id}.{webhook.Timestamp}.{webhook.Body}"));
        return (webhook.Signature ?? "").Split(' ')
            .Where(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .Any(s => CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(s[3..]), expected));
    }

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
