using System.Globalization;

namespace WedSync.AppHost;

public static class ForwardedHeadersExtensions
{
    /// <summary>
    /// Where the published API runs (Azure Container Apps), every request reaches it through the
    /// environment's ingress, which connects from the environment's private address space and names
    /// the client in X-Forwarded-For. Those private ranges (RFC 1918 and the shared 100.64.0.0/10) are
    /// the proxies the API trusts there; nothing outside them can reach the container directly.
    /// Override with <c>Api:TrustedProxyNetworks</c> in the AppHost's configuration (a list) when the
    /// environment uses other ranges. Run mode trusts nothing: the API is reached directly.
    /// </summary>
    public static readonly string[] ContainerAppsIngressNetworks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

    public static IResourceBuilder<ProjectResource> WithTrustedProxiesWhenPublished(
        this IResourceBuilder<ProjectResource> api, IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsPublishMode)
        {
            return api;
        }

        var configured = builder.Configuration.GetSection("Api:TrustedProxyNetworks").GetChildren()
            .Select(child => child.Value).OfType<string>().ToArray();
        var networks = configured.Length > 0 ? configured : ContainerAppsIngressNetworks;
        for (var i = 0; i < networks.Length; i++)
        {
            api.WithEnvironment($"Api__ForwardedHeaders__KnownNetworks__{i.ToString(CultureInfo.InvariantCulture)}", networks[i]);
        }

        return api;
    }
}
