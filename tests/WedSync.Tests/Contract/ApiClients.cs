namespace WedSync.Tests.Contract;

/// <summary>
/// The one way tests make an HttpClient for the API: every answer it receives is checked against the
/// OpenAPI document (<see cref="ContractValidatingHandler"/>). Redirects are not followed, so a 302 is
/// seen (and checked) as the API sent it. <c>ContractCoverageTests</c> fails when a test builds a client
/// some other way.
/// </summary>
public static class ApiClients
{
    public static HttpClient Create(Uri baseAddress, TimeSpan? timeout = null) =>
        new(new ContractValidatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false }))
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
}
