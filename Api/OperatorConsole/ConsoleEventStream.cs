using System.Threading.Channels;
using Npgsql;
using EventStreamEndpoint = WedSync.Api.Features.Monitoring.EventStream.Endpoint;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// The console's copy of <c>GET /api/monitoring/events/stream</c> for the browser's EventSource, which
/// can send the console cookie but not a bearer token. Same channel and same rule: platform admins
/// only, checked through the tenant session before anything is streamed. The console also hears
/// resolutions (channel <see cref="ResolvedChannelName"/>, a trigger on monitoring_events), so an open
/// event leaves a live page when it is resolved, whoever resolved it.
/// </summary>
public static class ConsoleEventStream
{
    /// <summary>The trigger monitoring_events_notify_resolved announces resolved events here.</summary>
    public const string ResolvedChannelName = "monitoring_events_resolved";

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(HttpContext context, ConsoleSession console, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var caller = await console.OpenAsync(context.User, ct);
        await console.CommitAsync(ct);
        if (caller is null || !caller.IsPlatformAdmin)
        {
            context.Response.StatusCode = caller is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            return;
        }

        var notifications = Channel.CreateUnbounded<(string Channel, string Payload)>(new UnboundedChannelOptions { SingleReader = true });
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        connection.Notification += (_, e) => notifications.Writer.TryWrite((e.Channel, e.Payload));
        await using (var listen = new NpgsqlCommand($"LISTEN {EventStreamEndpoint.ChannelName}; LISTEN {ResolvedChannelName}", connection))
        {
            await listen.ExecuteNonQueryAsync(ct);
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.WriteAsync(": connected\n\n", ct);
        await response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await connection.WaitAsync(Heartbeat, ct);
                var sent = false;
                while (notifications.Reader.TryRead(out var notification))
                {
                    var name = notification.Channel == ResolvedChannelName ? "monitoring-event-resolved" : "monitoring-event";
                    await response.WriteAsync($"event: {name}\ndata: {notification.Payload}\n\n", ct);
                    sent = true;
                }

                if (!sent)
                {
                    await response.WriteAsync(": heartbeat\n\n", ct);
                }

                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page went away: the normal end of a stream.
        }
    }
}
