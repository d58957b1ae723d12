using System.Net;
using System.Net.Sockets;

namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// Which addresses a webhook may reach: never the cloud metadata service, unspecified or multicast
/// addresses; loopback, private and link-local ones only with <see cref="WebhookOptions.AllowPrivateTargets"/>.
/// Checked on the URL when a subscription is configured and on every resolved address when the
/// delivery connects, so DNS that changes its answer later (rebinding) cannot reach inside.
/// </summary>
public static class WebhookTargetPolicy
{
    private static readonly IPAddress Ec2MetadataV6 = IPAddress.Parse("fd00:ec2::254");

    // Host names that are metadata services or loopback whatever DNS says.
    private static readonly string[] MetadataNames = ["metadata.google.internal", "metadata", "instance-data"];

    /// <summary>The rule that refuses <paramref name="address"/>, or null when it may be reached.</summary>
    public static string? Refusal(IPAddress address, bool allowPrivate)
    {
        var v4 = EmbeddedIPv4(address);
        if (v4 is not null)
        {
            return RefusalV4(v4.GetAddressBytes(), allowPrivate);
        }

        if (address.Equals(Ec2MetadataV6))
        {
            return "cloud metadata address (fd00:ec2::254)";
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified address (::)";
        }

        if (address.IsIPv6Multicast)
        {
            return "multicast address (ff00::/8)";
        }

        var bytes = address.GetAddressBytes();
        string? privateRule = address.Equals(IPAddress.IPv6Loopback) ? "loopback address (::1)"
            : (bytes[0] & 0xfe) == 0xfc ? "private address (fc00::/7)"
            : bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80 ? "link-local address (fe80::/10)"
            : bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0 ? "site-local address (fec0::/10)"
            : null;
        return allowPrivate ? null : privateRule;
    }

    /// <summary>The rule that refuses the URL's host as written (an address, or a name that is loopback or metadata by definition).</summary>
    public static string? Refusal(Uri url, bool allowPrivate)
    {
        var host = url.IdnHost.TrimEnd('.');
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return Refusal(address, allowPrivate);
        }

        if (MetadataNames.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return "cloud metadata address (" + host + ")";
        }

        var loopbackName = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        return loopbackName && !allowPrivate ? "loopback address (localhost)" : null;
    }

    private static string? RefusalV4(byte[] b, bool allowPrivate)
    {
        if (b is [169, 254, 169, 254])
        {
            return "cloud metadata address (169.254.169.254)";
        }

        if (b[0] == 0)
        {
            return "unspecified address (0.0.0.0/8)";
        }

        if (b[0] >= 224)
        {
            return "multicast or reserved address (224.0.0.0/3)";
        }

        string? privateRule = b[0] == 127 ? "loopback address (127.0.0.0/8)"
            : b[0] == 10 ? "private address (10.0.0.0/8)"
            : b[0] == 172 && (b[1] & 0xf0) == 16 ? "private address (172.16.0.0/12)"
            : b[0] == 192 && b[1] == 168 ? "private address (192.168.0.0/16)"
            : b[0] == 100 && (b[1] & 0xc0) == 64 ? "shared address (100.64.0.0/10)"
            : b[0] == 169 && b[1] == 254 ? "link-local address (169.254.0.0/16)"
            : null;
        return allowPrivate ? null : privateRule;
    }

    // IPv4 inside IPv6 reaches the IPv4 host: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) and NAT64 (64:ff9b::/96).
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        var compatible = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1);
        var nat64 = b is [0, 0x64, 0xff, 0x9b, ..] && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
        return compatible || nat64 ? new IPAddress(b.AsSpan(12, 4)) : null;
    }
}

/// <summary>The delivery's connection refused an address by <see cref="WebhookTargetPolicy"/>; nothing was sent.</summary>
public sealed class WebhookTargetRefusedException(string rule) : Exception($"Webhook target refused: {rule}")
{
    public string Rule { get; } = rule;
}
