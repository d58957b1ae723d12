using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace WedSync.Api.Platform.Problems;

/// <summary>
/// Turns every exception that escapes an endpoint into a problem response: PostgreSQL errors by
/// their SQLSTATE, unreadable or oversized request bodies as 400, anything else as 500, whose
/// exception details appear only in Development.
/// </summary>
public sealed class ApiExceptionHandler(
    IProblemDetailsService problemDetails,
    IHostEnvironment environment,
    ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client is gone; there is nobody to answer.
            return true;
        }

        var problem = Describe(exception);
        if (problem.Status >= StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Request failed with {Status}", problem.Status);
        }
        else
        {
            logger.LogInformation("Request answered {Status}: {Reason}", problem.Status, exception.Message);
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        if (environment.IsDevelopment() && problem.Status >= StatusCodes.Status500InternalServerError)
        {
            problem.Extensions["exception"] = new { type = exception.GetType().FullName, exception.Message, exception.StackTrace };
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Describe(Exception exception) => exception switch
    {
        PostgresException postgres when PostgresErrors.Map(postgres) is { } mapping =>
            new ProblemDetails { Status = mapping.Status, Title = mapping.Title, Detail = mapping.Detail },
        // The server is unreachable or the connection broke: the request may succeed again shortly.
        NpgsqlException { IsTransient: true } => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Service unavailable",
            Detail = "The database is not reachable right now; try again shortly.",
        },
        // Kestrel's body size limit (413) and unreadable bodies: a client error about the request itself.
        BadHttpRequestException badRequest => new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Bad request",
            Detail = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "The request body is larger than this API accepts."
                : "The request could not be read.",
        },
        _ => new ProblemDetails
        {
            Status = StatusCodes.Status500InternalServerError,
            Title = "Internal server error",
            Detail = "An unexpected error occurred. Quote the traceId when reporting it.",
        },
    };
}
