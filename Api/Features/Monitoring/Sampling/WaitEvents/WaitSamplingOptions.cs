using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Features.Monitoring.Sampling.WaitEvents;

/// <summary>Settings of section <c>Monitoring</c> for wait-event sampling (active session history).</summary>
public sealed class WaitSamplingOptions
{
    /// <summary>Whether this instance samples wait events (it also needs <c>Monitoring:SamplerEnabled</c>); one instance of the fleet does, through a lease.</summary>
    public bool WaitSamplingEnabled { get; set; } = true;

    /// <summary>How often pg_stat_activity is read; each active backend seen counts this much database time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan WaitSampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The width of a stored bucket: samples are kept in memory and written once per bucket, in one insert.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan WaitFlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long stored buckets are kept; the writer deletes older ones.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan WaitHistoryRetention { get; set; } = TimeSpan.FromDays(8);
}
