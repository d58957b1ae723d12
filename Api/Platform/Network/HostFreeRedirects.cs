using Microsoft.Net.Http.Headers;

namespace WedSync.Api.Platform.Network;

/// <summary>
/// No redirect this app answers carries an address taken from the request's Host header: the cookie
/// handler's challenges, Blazor's NavigateTo and framework redirects make absolute URLs of Host (which
/// any client sets, and a shared cache may store), so an absolute Location naming the request's own host
/// becomes the path alone. Redirects to other hosts (an identity provider, the signup page) are kept.
/// </summary>
public static class HostFreeRedirects
{
    /// <summary>Location, and the header Blazor's enhanced navigation reads a redirect from.</summary>
    private static readonly string[] RedirectHeaders = [HeaderNames.Location, "blazor-enhanced-nav-redirect-location"];

    /// <summary>First in the pipeline: every answer, error pages included, goes through it as it starts.</summary>
    public static IApplicationBuilder UseWedSyncHostFreeRedirects(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                Strip((HttpContext)state);
                return Task.CompletedTask;
            }, context);
            return next(context);
        });

    public static void Strip(HttpContext context)
    {
        foreach (var name in RedirectHeaders)
        {
            if (context.Response.Headers.TryGetValue(name, out var value)
                && Uri.TryCreate(value.ToString(), UriKind.Absolute, out var target)
                && target.Scheme is "http" or "https"
                && string.Equals(target.Host, context.Request.Host.Host, StringComparison.OrdinalIgnoreCase)
                // The same host on another port is another server (an identity provider on localhost).
                && target.Port == (context.Request.Host.Port ?? (context.Request.IsHttps ? 443 : 80)))
            {
                // One leading slash only: "//evil.example" would be a redirect to another host again.
                context.Response.Headers[name] = "/" + target.PathAndQuery.TrimStart('/', '\\') + target.Fragment;
            }
        }
    }
}
