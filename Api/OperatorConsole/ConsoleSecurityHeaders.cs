namespace WedSync.Api.OperatorConsole;

/// <summary>
/// Headers of every console answer: no page may be framed (clickjacking a signed-in operator), nor load
/// plugins, nor post its forms or set its base elsewhere; no response is sniffed into another type.
/// </summary>
public static class ConsoleSecurityHeaders
{
    // Scripts and styles are left to the defaults: Blazor's import map and Fluent UI's inline styles need them.
    public const string ContentSecurityPolicy = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

    public static void Apply(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // For browsers without CSP level 2 frame-ancestors.
        response.Headers.XFrameOptions = "DENY";
    }
}
