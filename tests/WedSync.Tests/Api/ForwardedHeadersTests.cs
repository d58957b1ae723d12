using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WedSync.Api.Platform.Network;

namespace WedSync.Tests.Api;

/// <summary>
/// The API's forwarded-headers setup run through ASP.NET Core's real middleware: only configured
/// proxies are believed, also when the socket reports an IPv4 proxy as IPv4-mapped IPv6 (as Azure
/// Container Apps' ingress shows up, microsoft/azure-container-apps#272), and nothing by default.
/// </summary>
public sealed class ForwardedHeadersTests
{
    [Theory]
    [InlineData("10.250.0.221", "10.0.0.0/8", "198.51.100.7")]
    [InlineData("::ffff:10.250.0.221", "10.0.0.0/8", "198.51.100.7")]
    [InlineData("10.250.0.221", null, "10.250.0.221")]
    [InlineData("127.0.0.1", null, "127.0.0.1")]
    [InlineData("192.0.2.1", "10.0.0.0/8", "192.0.2.1")]
    public async Task Client_address_comes_from_x_forwarded_for_only_through_a_known_network(string peer, string? knownNetwork, string expectedClient)
    {
        var settings = new Dictionary<string, string?>();
        if (knownNetwork is not null)
        {
            settings["Api:ForwardedHeaders:KnownNetworks:0"] = knownNetwork;
        }

        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging()
            .AddWedSyncForwardedHeaders()
            .BuildServiceProvider();
        var middleware = new ForwardedHeadersMiddleware(_ => Task.CompletedTask,
            services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(), services.GetRequiredService<IOptions<ForwardedHeadersOptions>>());
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.7";

        await middleware.Invoke(context);

        Assert.Equal(expectedClient, ClientNetwork.Normalize(context.Connection.RemoteIpAddress)!.ToString());
    }

    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64")]
    public void Clients_are_keyed_by_ipv4_address_or_ipv6_64(string address, string key) =>
        Assert.Equal(key, ClientNetwork.Key(IPAddress.Parse(address)));
}
