using System.Security.Claims;
using WedSync.Api.Platform.Auth;

namespace WedSync.Api.Features.Monitoring.Events.EventStream;

/// <summary>
/// The one server-sent-events loop, for GET /api/monitoring/events/stream and the console's stream:
/// 'event: monitoring-event' or 'event: monitoring-event-resolved' with the notification's JSON as data,
/// and a comment line every 15 seconds so proxies keep the idle stream open and a dead client is noticed.
/// </summary>
public static class EventStreamWriter
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>What the per-client stream limit counts by: the token's subject (or name), else one shared key.</summary>
    public static string ClientOf(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.Subject) ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity?.Name ?? "(unnamed)";

    /// <summary>The 429 detail of a client over its limit.</summary>
    private const string OverLimitDetail =
        "This client already holds the most open monitoring event streams allowed (Monitoring:StreamsPerClient); close one first.";

    /// <summary>
    /// The one entry of both channels once the caller is checked: a subscription for the signed-in client, or
    /// the 429 problem when it holds its limit; then the stream until the client leaves.
    /// </summary>
    public static async Task ServeAsync(HttpContext context, MonitoringEventHub hub, CancellationToken ct)
    {
        var subscription = await hub.SubscribeAsync(ClientOf(context.User), ct);
        if (subscription is null)
        {
            await TypedResults.Problem(detail: OverLimitDetail, statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
            return;
        }

        await WriteAsync(context.Response, subscription, ct);
    }

    /// <summary>Streams until the client leaves; the subscription is released at the end.</summary>
    private static async Task WriteAsync(HttpResponse response, EventSubscription subscription, CancellationToken ct)
    {
        using (subscription)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            try
            {
                // The hub listens already: a client that sees this line may record at once.
                await response.WriteAsync(": connected\n\n", ct);
                await response.Body.FlushAsync(ct);
                while (!ct.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    wait.CancelAfter(Heartbeat);
                    bool more;
                    try
                    {
                        more = await subscription.Reader.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        await response.WriteAsync(": heartbeat\n\n", ct);
                        await response.Body.FlushAsync(ct);
                        continue;
                    }

                    if (!more)
                    {
                        return;
                    }

                    while (subscription.Reader.TryRead(out var streamed))
                    {
                        await response.WriteAsync($"event: {streamed.Name}\ndata: {streamed.Data}\n\n", ct);
                    }

                    await response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The client went away: the normal end of a stream.
            }
        }
    }
}
