using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace WedSync.Api.Platform.Problems;

/// <summary>
/// What every problem response carries besides status and title: the request path as <c>instance</c>
/// and the trace id, the same id the Aspire dashboard shows for the request's trace.
/// </summary>
public static class ProblemConventions
{
    public static void Apply(ProblemDetails problem, HttpContext context)
    {
        problem.Instance ??= context.Request.Path;
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
    }

    public static IServiceCollection AddWedSyncProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context => Apply(context.ProblemDetails, context.HttpContext));
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }
}
