using Microsoft.Net.Http.Headers;

namespace WedSync.Api.Platform.Problems;

/// <summary>
/// Error answers are never stored: 404, 405, 410, 414 and 501 are cacheable by default (RFC 9110 §15.1), so a
/// shared cache could keep serving a 404 for a link that is live, or a 429 after its window renewed.
/// </summary>
public static class ErrorCaching
{
    /// <summary>Outermost, so the exception handler's, status code pages' and limiter's answers are covered too.</summary>
    public static IApplicationBuilder UseWedSyncErrorCaching(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(state =>
            {
                var response = (HttpResponse)state;
                if (response.StatusCode >= StatusCodes.Status400BadRequest && !response.Headers.ContainsKey(HeaderNames.CacheControl))
                {
                    response.Headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
}
