using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// The Standard Webhooks signature: <c>v1,</c> + base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")),
/// the timestamp in Unix seconds. Receivers recompute it with the secret and compare in constant time.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static string Sign(byte[] key, string messageId, long unixSeconds, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
