using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// How bad a condition is now, and when it next gets worse: the rungs of
/// <see cref="MonitoringOptions"/> a duration, a waiter count or a connection use climbs.
/// </summary>
public static class SeverityLadder
{
    private static readonly string[] Order = ["low", "medium", "high", MonitoringEventKinds.Critical];

    /// <summary>
    /// The severity of something running for <paramref name="running"/> (null: below the first rung) and
    /// how long until it reaches the next rung (null: at the top).
    /// </summary>
    public static (string? Severity, TimeSpan? UntilNext) ByDuration(TimeSpan running, MonitoringOptions options)
    {
        (TimeSpan At, string Severity)[] rungs =
        [
            (options.SlowQueryEventThreshold, "medium"),
            (options.SlowQueryHighThreshold, "high"),
            (options.SlowQueryCriticalThreshold, MonitoringEventKinds.Critical),
        ];
        string? severity = null;
        foreach (var (at, level) in rungs)
        {
            if (running < at)
            {
                return (severity, at - running);
            }

            severity = level;
        }

        return (severity, null);
    }

    /// <summary>The severity a lock's waiter count alone calls for (null: no more than a duration says).</summary>
    public static string? ByWaiters(int waiters, MonitoringOptions options) =>
        waiters >= options.LockWaitersCritical ? MonitoringEventKinds.Critical
        : waiters >= options.LockWaitersHigh ? "high"
        : null;

    /// <summary>The severity of connection use (null: below the event threshold).</summary>
    public static string? ByConnectionUse(double utilizationPct, MonitoringOptions options) =>
        utilizationPct < options.ConnectionUtilizationEventPct ? null
        : utilizationPct >= 95 ? MonitoringEventKinds.Critical
        : "high";

    /// <summary>The worse of two severities (null counts as none).</summary>
    public static string? Worst(string? a, string? b) => Rank(a) >= Rank(b) ? a : b;

    public static int Rank(string? severity) => severity is null ? -1 : Array.IndexOf(Order, severity);
}
