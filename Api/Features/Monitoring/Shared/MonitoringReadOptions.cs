using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>Settings of section <c>Monitoring</c> for the monitoring reads' own path (<see cref="MonitoringDatabase"/>).</summary>
public sealed class MonitoringReadOptions
{
    /// <summary>
    /// How long one monitoring statement may wait for a lock; past it that part of the answer is marked unavailable. A read that
    /// takes its locks at once never waits, so the bound costs a calm read nothing; 100 ms keeps a page under a held lock near its calm p99.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReadLockTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long one monitoring statement may run; past it that part of the answer is marked unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReadStatementTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Connections of the monitoring read pool (the event listener holds one), all opened at startup and kept open.</summary>
    [Range(1, 50)]
    public int ReadPoolSize { get; set; } = 5;

    /// <summary>
    /// Connections for the request sessions of monitoring reads (GET /api/monitoring/*, the operators' console pages); a
    /// separate pool, so a session never waits for a connection its own reads need.
    /// </summary>
    [Range(1, 200)]
    public int SessionPoolSize { get; set; } = 20;

    /// <summary>
    /// Session connections opened at startup and kept open: the monitoring requests that are served at once when clients have
    /// used up max_connections (a further one cannot open a connection then and answers 503 at once).
    /// </summary>
    [Range(1, 50)]
    public int SessionPoolKept { get; set; } = 3;
}
