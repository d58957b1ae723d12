using System.ComponentModel.DataAnnotations;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// Settings of section <c>Monitoring</c> for replication: how far behind a standby's replay may fall (in time and in
/// bytes of WAL) before its replication_lag condition opens (medium) and is raised (high, critical), and how much WAL an
/// inactive replication slot may retain. The severity is the worse of the time and the byte ladder.
/// </summary>
public sealed class ReplicationLagOptions : IValidatableObject
{
    /// <summary>A standby whose replay is this far behind opens a medium replication_lag event.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReplicationLagEventThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Replay this far behind raises the event to high.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReplicationLagHighThreshold { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Replay this far behind raises the event to critical.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReplicationLagCriticalThreshold { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>WAL not yet replayed by a standby (or retained by an inactive slot) that opens a medium event.</summary>
    [Range(1024L, long.MaxValue)]
    public long ReplicationLagEventBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>WAL behind (or retained) that raises the event to high.</summary>
    [Range(1024L, long.MaxValue)]
    public long ReplicationLagHighBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>WAL behind (or retained) that raises the event to critical: the primary's disk fills with it.</summary>
    [Range(1024L, long.MaxValue)]
    public long ReplicationLagCriticalBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Both ladders must climb: medium, then high, then critical.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(ReplicationLagEventThreshold < ReplicationLagHighThreshold && ReplicationLagHighThreshold < ReplicationLagCriticalThreshold))
        {
            yield return new ValidationResult("Monitoring:ReplicationLagEventThreshold < ReplicationLagHighThreshold < ReplicationLagCriticalThreshold is required.",
                [nameof(ReplicationLagEventThreshold), nameof(ReplicationLagHighThreshold), nameof(ReplicationLagCriticalThreshold)]);
        }

        if (!(ReplicationLagEventBytes < ReplicationLagHighBytes && ReplicationLagHighBytes < ReplicationLagCriticalBytes))
        {
            yield return new ValidationResult("Monitoring:ReplicationLagEventBytes < ReplicationLagHighBytes < ReplicationLagCriticalBytes is required.",
                [nameof(ReplicationLagEventBytes), nameof(ReplicationLagHighBytes), nameof(ReplicationLagCriticalBytes)]);
        }
    }

    /// <summary>The severity of replay <paramref name="behind"/> (null: below the first rung) and how long until the next rung if it stays stuck.</summary>
    public (string? Severity, TimeSpan? UntilNext) ByTime(TimeSpan behind)
    {
        (TimeSpan At, string Severity)[] rungs =
        [
            (ReplicationLagEventThreshold, "medium"),
            (ReplicationLagHighThreshold, "high"),
            (ReplicationLagCriticalThreshold, Shared.MonitoringEventKinds.Critical),
        ];
        string? severity = null;
        foreach (var (at, level) in rungs)
        {
            if (behind < at)
            {
                return (severity, at - behind);
            }

            severity = level;
        }

        return (severity, null);
    }

    /// <summary>The severity of <paramref name="bytes"/> of WAL behind or retained (null: below the first rung).</summary>
    public string? ByBytes(long bytes) =>
        bytes >= ReplicationLagCriticalBytes ? Shared.MonitoringEventKinds.Critical
        : bytes >= ReplicationLagHighBytes ? "high"
        : bytes >= ReplicationLagEventBytes ? "medium"
        : null;
}
