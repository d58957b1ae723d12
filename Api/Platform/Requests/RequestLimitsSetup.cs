using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace WedSync.Api.Platform.Requests;

public static class RequestLimitsSetup
{
    /// <summary>Kestrel enforces the body limit while a body streams in, chunked or not.</summary>
    public static IServiceCollection AddWedSyncRequestLimits(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>(
            (kestrel, api) =>
            {
                kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes;
                RequestHeadLimits.WidenKestrel(kestrel.Limits);
            });
        return services;
    }

    /// <summary>
    /// A body that announces its size as too large is refused before anyone starts reading it; only
    /// bodies of unknown length reach Kestrel's limit mid-stream (and the exception handler).
    /// </summary>
    public static IApplicationBuilder UseWedSyncRequestLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (RequestHeadLimits.Check(context) is var (status, detail))
            {
                context.Response.StatusCode = status;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = status, Title = ReasonPhrases.GetReasonPhrase(status), Detail = detail },
                });
                return;
            }

            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            if (limit is not null && context.Request.ContentLength > limit)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status400BadRequest,
                        Title = "Bad request",
                        Detail = $"The request body is larger than this API accepts ({limit} bytes).",
                    },
                });
                return;
            }

            await next(context);
        });
}
