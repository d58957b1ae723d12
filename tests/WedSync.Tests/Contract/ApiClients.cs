namespace WedSync.Tests.Contract;

/// <summary>
/// The one way tests make an HttpClient for the API: every answer it receives is checked against the
/// OpenAPI document (<see cref="ContractValidatingHandler"/>). Redirects are not followed, so a 302 is
/// seen (and checked) as the API sent it. <c>ContractCoverageTests</c> fails when a test builds a client
/// some other way.
/// </summary>
public static class ApiClients
{
    /// <param name="headerEncoding">How header values are encoded (Latin-1 when null); UTF-8 sends what browsers and apps put in User-Agent.</param>
    public static HttpClient Create(Uri baseAddress, TimeSpan? timeout = null, HeaderEncodingSelector<HttpRequestMessage>? headerEncoding = null) =>
        new(new ContractValidatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false, RequestHeaderEncodingSelector = headerEncoding }))
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
}
