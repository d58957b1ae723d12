using WedSync.Api.Features.Monitoring.Events.EventStream;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// The console's entry to the same stream as <c>GET /api/monitoring/events/stream</c>, for the browser's
/// EventSource, which can send the console cookie but not a bearer token. Same rule (platform admins
/// only, checked through the tenant session before anything is streamed), same hub, same loop and
/// same per-client limit (<see cref="EventStreamWriter"/>).
/// </summary>
public static class ConsoleEventStream
{
    /// <summary>The trigger monitoring_events_notify_resolved announces resolved events here.</summary>
    public const string ResolvedChannelName = MonitoringEventHub.ResolvedChannel;

    public static async Task StreamAsync(HttpContext context, ConsoleSession console, MonitoringEventHub hub, MonitoringDatabase monitoring, CancellationToken ct)
    {
        // Bounded like every monitoring read, so the check answers when clients have used up max_connections.
        var caller = await console.OpenAsync(context.User, ct, monitoring.BoundsCommand());
        await console.CommitAsync(ct);
        if (caller is null || !caller.IsPlatformAdmin)
        {
            context.Response.StatusCode = caller is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
            return;
        }

        await EventStreamWriter.ServeAsync(context, hub, ct);
    }
}
