namespace WedSync.AppHost;

/// <summary>The dashboard's way into the operator console that the API serves under <c>/console</c>.</summary>
public static class ConsoleLinkExtensions
{
    public const string DisplayText = "Console";

    /// <summary>
    /// Adds a "Console" link beside the API's endpoint URLs (https when it has one), so the Aspire
    /// dashboard leads an operator to the console instead of to raw JSON.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConsoleLink(this IResourceBuilder<ProjectResource> api) =>
        api.WithUrls(context =>
        {
            var endpoint = context.Urls.FirstOrDefault(url => url.Endpoint?.EndpointName == "https")
                ?? context.Urls.FirstOrDefault(url => url.Endpoint is not null);
            if (endpoint is not null)
            {
                context.Urls.Add(new ResourceUrlAnnotation
                {
                    Url = endpoint.Url.TrimEnd('/') + "/console",
                    DisplayText = DisplayText,
                    Endpoint = endpoint.Endpoint,
                });
            }
        });
}
