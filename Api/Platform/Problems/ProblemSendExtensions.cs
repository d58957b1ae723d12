using FastEndpoints;

namespace WedSync.Api.Platform.Problems;

/// <summary>
/// <c>Send.ProblemAsync(404, "...")</c>: FastEndpoints' own <c>NotFoundAsync</c>/<c>ForbiddenAsync</c>
/// start an empty response, which would leave these statuses without problem details.
/// </summary>
public static class ProblemSendExtensions
{
    public static Task ProblemAsync(this IResponseSender sender, int status, string detail) =>
        sender.HttpContext.Response.SendResultAsync(TypedResults.Problem(detail: detail, statusCode: status));
}
