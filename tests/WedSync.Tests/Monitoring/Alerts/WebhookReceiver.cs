using System.Net;
using System.Text;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>One POST as the receiver saw it.</summary>
public sealed record ReceivedWebhook(string? Id, string? Timestamp, string? Signature, string Body, DateTime ReceivedAtUtc);

/// <summary>
/// A real HTTP receiver (HttpListener) on a free loopback port: it records every request and answers
/// with <see cref="Status"/>. The port is chosen at construction, so a subscription can point at it
/// before it listens (a receiver that is down) and <see cref="Start"/> later.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly List<ReceivedWebhook> received = [];
    private HttpListener? listener;
    private Task? loop;

    public WebhookReceiver()
    {
        Url = $"http://127.0.0.1:{ApiServer.FreePort()}/hooks/";
    }

    public string Url { get; }

    /// <summary>What the next requests are answered with.</summary>
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (received)
            {
                return received.ToArray();
            }
        }
    }

    public WebhookReceiver Start()
    {
        listener = new HttpListener();
        listener.Prefixes.Add(Url);
        listener.Start();
        var running = listener;
        loop = Task.Run(() => ServeAsync(running));
        return this;
    }

    public async Task StopAsync()
    {
        if (listener is null)
        {
            return;
        }

        listener.Stop();
        listener.Close();
        await (loop ?? Task.CompletedTask);
        listener = null;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived (or the timeout passed).</summary>
    public Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan timeout) =>
        MonitoringCalls.PollAsync(() => Task.FromResult(Received), r => r.Count >= count, timeout, TimeSpan.FromMilliseconds(50));

    private Task ServeAsync(HttpListener running) => LoopbackHttp.ServeAsync(running, async context =>
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        lock (received)
        {
            received.Add(new ReceivedWebhook(
                context.Request.Headers["webhook-id"],
                context.Request.Headers["webhook-timestamp"],
                context.Request.Headers["webhook-signature"],
                body,
                DateTime.UtcNow));
        }

        context.Response.StatusCode = (int)Status;
        context.Response.Close();
    });

    public async ValueTask DisposeAsync() => await StopAsync();
}
