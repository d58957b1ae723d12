using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>Settings of section <c>Monitoring</c> for the monitoring reads' own path (<see cref="MonitoringDatabase"/>).</summary>
public sealed class MonitoringReadOptions
{
    /// <summary>How long one monitoring statement may wait for a lock; past it that part of the answer is marked unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReadLockTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long one monitoring statement may run; past it that part of the answer is marked unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReadStatementTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Connections of the monitoring pool (the event listener holds one); up to two are opened at startup and kept open.</summary>
    [Range(1, 50)]
    public int ReadPoolSize { get; set; } = 5;
}
