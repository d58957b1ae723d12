using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

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
    private readonly bool allowPrivate;

    public WebhookHttpClient(IOptions<WebhookOptions> options)
    {
        allowPrivate = options.Value.AllowPrivateTargets;
        Client = new HttpClient(new SocketsHttpHandler
        {
            // A 3xx is the receiver's answer, not a place to send the signed body to (nor a way around the address check).
            AllowAutoRedirect = false,
            // A proxy would be the connected address, and the target's would go unchecked.
            UseProxy = false,
            // Receivers move (DNS); pooled connections are renewed.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = ConnectAsync,
        })
        {
            // Each attempt carries its own RequestTimeout token.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("WedSync-Webhooks/1.0");
    }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();

    // The address check at the moment of connecting, on what DNS answers now: a name may point elsewhere than when it was configured.
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct);
        // One refused address refuses the name: a record set mixing public and internal addresses is the rebinding trick.
        foreach (var address in addresses)
        {
            if (WebhookTargetPolicy.Refusal(address, allowPrivate) is { } rule)
            {
                throw new WebhookTargetRefusedException(rule);
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
