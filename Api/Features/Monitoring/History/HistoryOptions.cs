using System.ComponentModel.DataAnnotations;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.History;

/// <summary>
/// Settings of section <c>Monitoring</c> for monitoring over time: query history (pg_stat_statements
/// deltas) and capacity history (object sizes, counters that run out). Bound beside <see cref="MonitoringOptions"/>.
/// </summary>
public sealed class HistoryOptions
{
    /// <summary>Whether the history sampler runs on this instance (it also needs <c>Monitoring:SamplerEnabled</c>).</summary>
    public bool QueryHistoryEnabled { get; set; } = true;

    /// <summary>How often the deltas of pg_stat_statements are stored (one history point per statement and interval).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan QueryHistoryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long query history is kept; older day partitions are dropped whole.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "400.00:00:00")]
    public TimeSpan QueryHistoryRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// The statements stored per interval: the costliest by total time in that interval. Bounds the
    /// storage: 50 at 5 minutes for 14 days is about 200,000 rows (bench/history/run.sh, bench/RESULTS.md).
    /// </summary>
    [Range(1, 10000)]
    public int QueryHistoryTopStatements { get; set; } = 50;

    /// <summary>
    /// How often object sizes and the counters that run out (sequences, transaction ids, database size) are read
    /// (at a capture of query history, so never more often than <see cref="QueryHistoryInterval"/>). Four a day give
    /// the 7-day rate 28 points; every sequence costs a row per reading.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CapacitySampleInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long daily sizes and capacity samples are kept.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan CapacityHistoryRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The database size that counts as full, for a days-left forecast of the size (none when unset).</summary>
    [Range(1L, long.MaxValue)]
    public long? DatabaseSizeLimitBytes { get; set; }

    /// <summary>How often the sampler stores the seven gauges (monitoring_history.gauge_samples, the console's sparklines).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan GaugeHistoryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long stored gauge samples are kept; the writer deletes older ones.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan GaugeHistoryRetention { get; set; } = TimeSpan.FromDays(2);
}
