namespace WedSync.Api.Platform.Problems;

/// <summary>
/// The shape of every problem response (RFC 9457), as the OpenAPI document describes it. At run time
/// ASP.NET Core's ProblemDetails writes these fields; this type exists to give them a schema.
/// </summary>
public class ProblemResponse
{
    /// <summary>A URI reference that identifies the problem type.</summary>
    public string? Type { get; set; }

    /// <summary>A short summary of the problem type.</summary>
    public string Title { get; set; } = "";

    /// <summary>The HTTP status code.</summary>
    public int Status { get; set; }

    /// <summary>What went wrong with this request.</summary>
    public string? Detail { get; set; }

    /// <summary>The request path.</summary>
    public string? Instance { get; set; }

    /// <summary>The trace id of the request, to find it in logs and traces.</summary>
    public string TraceId { get; set; } = "";
}

/// <summary>A 400 caused by the request's content: the messages per field.</summary>
public sealed class ValidationProblemResponse : ProblemResponse
{
    public Dictionary<string, string[]> Errors { get; set; } = [];
}
