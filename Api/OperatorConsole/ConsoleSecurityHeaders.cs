namespace WedSync.Api.OperatorConsole;

/// <summary>
/// Headers of every console answer, pages and error pages alike: no page may be framed (clickjacking a
/// signed-in operator), run a script this app does not serve as a file, load plugins, post its forms or
/// set its base elsewhere; no response is sniffed into another type.
/// </summary>
public static class ConsoleSecurityHeaders
{
    // The console's scripts are files of this app (blazor.web.js, console.js, Fluent UI's initializer):
    // no inline script, no eval. Fluent UI's reboot and the server-drawn charts style inline.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>
    /// Set as the answer starts, not as the request arrives: the exception handler and the status code
    /// pages clear the headers before they write an error page, and the error page needs them too.
    /// </summary>
    public static void ApplyWhenStarting(HttpResponse response) =>
        response.OnStarting(static state =>
        {
            Apply((HttpResponse)state);
            return Task.CompletedTask;
        }, response);

    public static void Apply(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // For browsers without CSP level 2 frame-ancestors.
        response.Headers.XFrameOptions = "DENY";
    }
}
