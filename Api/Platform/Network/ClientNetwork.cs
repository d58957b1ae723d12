using System.Net;
using System.Net.Sockets;

namespace WedSync.Api.Platform.Network;

/// <summary>
/// Who a client is, for per-IP rules and rate limits. An IPv4-mapped IPv6 address (<c>::ffff:a.b.c.d</c>,
/// what a dual-stack socket reports for an IPv4 peer) is that IPv4 address; an IPv6 client is its /64,
/// the prefix one subscriber gets, inside which an attacker changes addresses at will. The database
/// computes the same key for its per-IP counters (<c>app.client_network_key</c>).
/// </summary>
public static class ClientNetwork
{
    /// <summary>Bits of an IPv6 address that name the subscriber.</summary>
    public const int Ipv6PrefixLength = 64;

    /// <summary>The address to store: IPv4-mapped IPv6 as IPv4, anything else as it came.</summary>
    public static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    /// <summary>
    /// The key of a client: <c>a.b.c.d</c> for IPv4, <c>xxxx:xxxx:xxxx:xxxx::/64</c> for IPv6 (the text
    /// PostgreSQL's <c>network(set_masklen(ip, 64))::text</c> gives), <c>unknown</c> without an address.
    /// </summary>
    public static string Key(IPAddress? address)
    {
        var normalized = Normalize(address);
        if (normalized is null)
        {
            return "unknown";
        }

        if (normalized.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return normalized.ToString();
        }

        var bytes = normalized.GetAddressBytes();
        Array.Clear(bytes, Ipv6PrefixLength / 8, bytes.Length - (Ipv6PrefixLength / 8));
        return $"{new IPAddress(bytes)}/{Ipv6PrefixLength}";
    }
}
