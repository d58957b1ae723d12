using System.Threading.Channels;
using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.EventStream;

/// <summary>
/// Server-sent events of monitoring events as they are recorded: LISTEN monitoring_events on a
/// connection of its own, one <c>data:</c> line per notification ({"id","type","severity"}), and a
/// comment line every 15 seconds so proxies keep the idle stream open and a dead client is noticed.
/// </summary>
public sealed class Endpoint(NpgsqlDataSource dataSource) : MonitoringEndpoint<EmptyRequest, EmptyResponse>
{
    public const string ChannelName = "monitoring_events";

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public override void Configure()
    {
        Get("/monitoring/events/stream");
        Summary(s =>
        {
            s.Summary = "Live monitoring events as text/event-stream (platform admins)";
            s.Description = "Each recorded event arrives as 'event: monitoring-event' with data {\"id\",\"type\",\"severity\"}; a ': heartbeat' comment every 15 s.";
            s.Responses[StatusCodes.Status200OK] = "The stream, open until the client leaves.";
        });
        Description(b => b.Produces<string>(StatusCodes.Status200OK, "text/event-stream"));
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        // The caller is checked; the request transaction must not stay open for the stream's lifetime.
        await Session.CommitAsync(ct);

        var notifications = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        connection.Notification += (_, e) => notifications.Writer.TryWrite(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
        {
            await listen.ExecuteNonQueryAsync(ct);
        }

        // Listening before the headers go out: a client that sees the response may record at once.
        var response = HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync(": connected\n\n", ct);
        await response.Body.FlushAsync(ct);

        try
        {
            while (!ct.IsCancellationRequested)
            {
                // WaitAsync returns when a notification arrived (raising Notification) or the heartbeat elapsed.
                await connection.WaitAsync(Heartbeat, ct);
                var sent = false;
                while (notifications.Reader.TryRead(out var payload))
                {
                    await response.WriteAsync($"event: monitoring-event\ndata: {payload}\n\n", ct);
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
            // The client went away: the normal end of a stream.
        }
    }
}
