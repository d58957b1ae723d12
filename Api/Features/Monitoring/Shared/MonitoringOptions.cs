using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>Settings of section <c>Monitoring</c>: the background sampler's pace and thresholds.</summary>
public sealed class MonitoringOptions : IValidatableObject
{
    public const string SectionName = "Monitoring";

    /// <summary>
    /// Whether this instance samples at all. Several instances already share one sampler through a
    /// lease (monitoring_sampler_lease); this is for instances that must never put the sampling load on the database.
    /// </summary>
    public bool SamplerEnabled { get; set; } = true;

    /// <summary>How often the sampler reads the monitoring views (and renews or tries to take the sampler lease, which expires after three intervals).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How old a summary or advisor result may be when served; a request with
    /// <c>Cache-Control: no-cache</c> always gets a new one. Zero computes every request anew.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ResultMaxAge { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the sampler runs the retention clean-up of monitoring events.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A statement running longer than this becomes a slow_query event.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SlowQueryEventThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A statement (or a lock wait) running this long raises its event to high.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan SlowQueryHighThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A statement (or a lock wait) running this long raises its event to critical.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan SlowQueryCriticalThreshold { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the condition detector reads pg_stat_activity (slow statements, lock waits, connection
    /// use) between the samples; it also wakes at each computed threshold crossing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan DetectionInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sessions waiting on one blocker that raise its lock_wait event to high.</summary>
    [Range(2, 100_000)]
    public int LockWaitersHigh { get; set; } = 5;

    /// <summary>Sessions waiting on one blocker that raise its lock_wait event to critical.</summary>
    [Range(2, 100_000)]
    public int LockWaitersCritical { get; set; } = 20;

    /// <summary>Connection utilization (percent of max_connections) that becomes a connection_issue event.</summary>
    [Range(1, 100)]
    public int ConnectionUtilizationEventPct { get; set; } = 80;

    /// <summary>
    /// How often the sampler compares the live schema with the migrator's last recorded fingerprint
    /// (a schema_drift event per drift); between comparisons its last answer stands.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SchemaDriftInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Resolved events are kept this long.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan ResolvedRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Unresolved events are kept this long.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan UnresolvedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A prepared transaction older than this is named an orphan (no coordinator will finish it): roll it back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan PreparedTransactionOrphanAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The severity ladders must climb: medium, then high, then critical.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(SlowQueryEventThreshold < SlowQueryHighThreshold && SlowQueryHighThreshold < SlowQueryCriticalThreshold))
        {
            yield return new ValidationResult(
                "Monitoring:SlowQueryEventThreshold < SlowQueryHighThreshold < SlowQueryCriticalThreshold is required",
                [nameof(SlowQueryEventThreshold), nameof(SlowQueryHighThreshold), nameof(SlowQueryCriticalThreshold)]);
        }

        if (LockWaitersHigh >= LockWaitersCritical)
        {
            yield return new ValidationResult("Monitoring:LockWaitersHigh < LockWaitersCritical is required",
                [nameof(LockWaitersHigh), nameof(LockWaitersCritical)]);
        }
    }
}
