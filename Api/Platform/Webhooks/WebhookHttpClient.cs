namespace WedSync.Api.Platform.Webhooks;

/// <summary>
/// The delivery worker's HttpClient, deliberately not from IHttpClientFactory: ServiceDefaults gives
/// every factory client the standard resilience handler, whose retries and circuit breaker would send
/// one outbox row several times per attempt, unlogged, with a total timeout fighting RequestTimeout.
/// The outbox is the retry schedule (logged, backed off, surviving restarts); this client makes one
/// attempt per call. OpenTelemetry's HttpClient instrumentation still traces it.
/// </summary>
public sealed class WebhookHttpClient : IDisposable
{
    public WebhookHttpClient()
    {
        Client = new HttpClient(new SocketsHttpHandler
        {
            // A 3xx is the receiver's answer, not a place to send the signed body to.
            AllowAutoRedirect = false,
            // Receivers move (DNS); pooled connections are renewed.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            // Each attempt carries its own RequestTimeout token.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("WedSync-Webhooks/1.0");
    }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();
}
