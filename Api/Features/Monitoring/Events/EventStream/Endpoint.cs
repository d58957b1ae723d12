using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Events.EventStream;

/// <summary>
/// Server-sent events of monitoring events as they are recorded and resolved, from this instance's one
/// listening connection (<see cref="MonitoringEventHub"/>); the loop is <see cref="EventStreamWriter"/>,
/// shared with the console's stream.
/// </summary>
public sealed class Endpoint(MonitoringEventHub hub) : MonitoringEndpoint<EmptyRequest, EmptyResponse>
{
    public const string ChannelName = MonitoringEventHub.EventChannel;

    public override void Configure()
    {
        Get("/monitoring/events/stream");
        Summary(s =>
        {
            s.Summary = "Live monitoring events as text/event-stream (platform admins)";
            s.Description = "Each recorded event arrives as 'event: monitoring-event' with data {\"id\",\"type\",\"severity\"}, each resolution as "
                + "'event: monitoring-event-resolved' with data {\"id\"}; a ': heartbeat' comment every 15 s. All streams of an instance share one database "
                + "connection. A client (token subject) may hold Monitoring:StreamsPerClient streams at once (5 by default; an instance at most "
                + "Monitoring:MaxStreams): one more is answered 429.";
            s.Responses[StatusCodes.Status200OK] = "The stream, open until the client leaves.";
            s.Responses[StatusCodes.Status429TooManyRequests] = "The client already holds its limit of open streams.";
        });
        Description(b => b.Produces<string>(StatusCodes.Status200OK, "text/event-stream"));
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        // The caller is checked; the request transaction must not stay open for the stream's lifetime.
        await Session.CommitAsync(ct);

        await EventStreamWriter.ServeAsync(HttpContext, hub, ct);
    }
}
