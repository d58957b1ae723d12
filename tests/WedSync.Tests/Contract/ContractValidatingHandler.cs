using System.Net.Http.Headers;

namespace WedSync.Tests.Contract;

/// <summary>
/// Checks every answer of the API against the API's own live /openapi/v1.json: the status is declared
/// for the operation, the media type is one it declares for that status, and the body matches its
/// schema. A violation throws <see cref="ContractViolationException"/> out of the request, so the test
/// that sent it fails with the operation, the status and what differs, and is logged (<see cref="ContractLog"/>).
/// </summary>
public sealed class ContractValidatingHandler : DelegatingHandler
{
    private readonly Func<Uri, Task<OpenApiContract>> contract;
    private readonly Action<string> record;

    /// <param name="contract">The document for a base address; the live one by default.</param>
    /// <param name="record">Where violations are recorded besides the exception; <see cref="ContractLog"/> by default.</param>
    public ContractValidatingHandler(HttpMessageHandler inner, Func<Uri, Task<OpenApiContract>>? contract = null, Action<string>? record = null)
        : base(inner)
    {
        this.contract = contract ?? OpenApiContract.ForAsync;
        this.record = record ?? ContractLog.Violation;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var uri = request.RequestUri!;
        if (OpenApiContract.IsOutside(uri.AbsolutePath))
        {
            return response;
        }

        var contentType = response.Content.Headers.ContentType;
        string? body = null;
        // A HEAD answer has the headers of its GET and never a body: its status and media type are checked.
        if (!IsStream(contentType) && request.Method != HttpMethod.Head)
        {
            // Buffered: the test reads the same body afterwards.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var baseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority));
        var violations = (await contract(baseAddress)).Check(request.Method, uri.AbsolutePath, (int)response.StatusCode, contentType, body);
        ContractLog.Validated();
        if (violations.Count > 0)
        {
            var message = "The API's answer breaks its OpenAPI document (/openapi/v1.json):\n" + string.Join("\n", violations);
            record(message);
            response.Dispose();
            throw new ContractViolationException(message);
        }

        return response;
    }

    /// <summary>Server-sent events never end; their status and media type are checked, the body is the test's.</summary>
    private static bool IsStream(MediaTypeHeaderValue? contentType) => contentType?.MediaType == "text/event-stream";
}
