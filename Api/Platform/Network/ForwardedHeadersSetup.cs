using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace WedSync.Api.Platform.Network;

public static class ForwardedHeadersSetup
{
    /// <summary>
    /// Binds <see cref="ForwardedHeadersSettings"/> (a bad address stops the API at startup, naming the
    /// setting) into ASP.NET Core's <see cref="ForwardedHeadersOptions"/>, with the framework's default
    /// trust of loopback removed: only what is configured is trusted.
    /// </summary>
    public static IServiceCollection AddWedSyncForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersSettings>()
            .BindConfiguration(ForwardedHeadersSettings.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>, SettingsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((options, configured) =>
        {
            var settings = configured.Value;
            // Empty lists would make the middleware believe every sender: with no proxy configured it
            // reads no header at all.
            options.ForwardedHeaders = settings.KnownProxies.Length + settings.KnownNetworks.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = settings.ForwardLimit;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies)
            {
                var address = IPAddress.Parse(proxy);
                options.KnownProxies.Add(address);
                if (address.AddressFamily == AddressFamily.InterNetwork)
                {
                    options.KnownProxies.Add(address.MapToIPv6());
                }
            }

            foreach (var text in settings.KnownNetworks)
            {
                var network = IPNetwork.Parse(text);
                options.KnownIPNetworks.Add(network);
                // A dual-stack socket reports an IPv4 proxy as ::ffff:a.b.c.d (as Azure Container Apps'
                // ingress shows up): the same network in that form is trusted too.
                if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
                {
                    options.KnownIPNetworks.Add(new IPNetwork(network.BaseAddress.MapToIPv6(), 96 + network.PrefixLength));
                }
            }
        });
        return services;
    }

    /// <summary>First in the pipeline, so that everything after it (rate limits, endpoints, logs) sees the client.</summary>
    public static IApplicationBuilder UseWedSyncForwardedHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();

    private sealed class SettingsValidator : IValidateOptions<ForwardedHeadersSettings>
    {
        public ValidateOptionsResult Validate(string? name, ForwardedHeadersSettings options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
