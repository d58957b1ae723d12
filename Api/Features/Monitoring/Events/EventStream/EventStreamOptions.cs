using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Features.Monitoring.Events.EventStream;

/// <summary>Settings of section <c>Monitoring</c> for live event streams (API and console alike).</summary>
public sealed class EventStreamOptions
{
    /// <summary>Open streams one client (token subject, or the console's signed-in person) may hold at once; one more is answered 429.</summary>
    [Range(1, 1000)]
    public int StreamsPerClient { get; set; } = 5;

    /// <summary>Open streams of this instance, all clients together; one more is answered 429.</summary>
    [Range(1, 100000)]
    public int MaxStreams { get; set; } = 1000;
}
