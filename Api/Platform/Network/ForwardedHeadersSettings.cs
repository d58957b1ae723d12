using System.Net;

namespace WedSync.Api.Platform.Network;

/// <summary>
/// Section <c>Api:ForwardedHeaders</c>: which peers may say who the client is. A request's
/// <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are read only when the connection comes from one of
/// these proxies or networks; from anyone else they are ignored and the socket's address is the client.
/// Nothing is trusted by default (not even loopback). The AppHost sets the networks of Azure Container
/// Apps' ingress for the published API (README "Behind a proxy").
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string SectionName = "Api:ForwardedHeaders";

    /// <summary>Single proxy addresses, e.g. <c>10.0.0.4</c> or <c>::1</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>, <c>127.0.0.0/8</c>, <c>::1/128</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>
    /// How many proxies in a row may be trusted, read from the right of <c>X-Forwarded-For</c>: 1 for
    /// one ingress; 2 when another trusted proxy (a CDN, an application gateway) stands in front of it.
    /// </summary>
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<string> Problems()
    {
        foreach (var proxy in KnownProxies)
        {
            if (!IPAddress.TryParse(proxy, out _))
            {
                yield return $"Api:ForwardedHeaders validation failed: KnownProxies '{proxy}' is not an IP address.";
            }
        }

        foreach (var network in KnownNetworks)
        {
            if (!IPNetwork.TryParse(network, out _))
            {
                yield return $"Api:ForwardedHeaders validation failed: KnownNetworks '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/8).";
            }
        }

        if (ForwardLimit is < 1 or > 10)
        {
            yield return $"Api:ForwardedHeaders validation failed: ForwardLimit must be between 1 and 10, was {ForwardLimit}.";
        }
    }
}
