using System.Diagnostics;
using Microsoft.Extensions.Options;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// The sampler's fast loop, apart from its heavier ticks: every <see cref="MonitoringOptions.DetectionInterval"/>
/// (no longer than the slow-query threshold, so no statement crosses it unread) it reads the running
/// conditions (<see cref="ConditionReading"/>), and it also wakes at the moment the next of them crosses
/// a threshold, computed from the read. Each condition is so recorded, raised and resolved within about
/// one read of the crossing, whatever the sampling interval. It writes only when a condition or its
/// severity changed, so a calm database costs one small read per interval.
/// </summary>
public sealed class ConditionDetector(
    ConditionReading reading,
    ConditionEvents events,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<ConditionDetector> logger)
{
    // Woken a little after the computed crossing, so the duration read is past the threshold.
    private static readonly TimeSpan CrossingMargin = TimeSpan.FromMilliseconds(10);

    /// <summary>Runs until <paramref name="ct"/> ends; reads only while <paramref name="holding"/> says this instance samples.</summary>
    public async Task RunAsync(Func<bool> holding, CancellationToken ct)
    {
        var settings = options.Value;
        var interval = settings.DetectionInterval < settings.SlowQueryEventThreshold ? settings.DetectionInterval : settings.SlowQueryEventThreshold;
        // The key → severity last written; null: unknown (start, or a failed write), so the next read writes.
        Dictionary<string, string>? written = null;
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            var readAt = time.GetUtcNow();
            var wake = readAt + interval;
            if (!holding())
            {
                written = null;
            }
            else
            {
                using var pass = BackgroundTraces.StartPass("monitoring.detect");
                try
                {
                    var detection = await reading.ReadAsync(ct);
                    if (detection.UntilNextCrossing is { } until && readAt + until + CrossingMargin < wake)
                    {
                        wake = readAt + until + CrossingMargin;
                    }

                    if (written is null || !SameAs(written, detection.Conditions))
                    {
                        await events.ReconcileAsync(detection.Conditions, ConditionReading.Scopes, ct);
                        written = detection.Conditions.ToDictionary(c => c.Key, c => c.Severity);
                    }

                    failing = false;
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    written = null;
                    pass?.SetStatus(ActivityStatusCode.Error, exception.Message);
                    if (!failing)
                    {
                        logger.LogWarning(exception, "Reading the running conditions failed; trying again every {Interval}", interval);
                    }

                    failing = true;
                }
            }

            var delay = wake - time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, ct);
            }
        }
    }

    private static bool SameAs(Dictionary<string, string> written, IReadOnlyList<SampledCondition> conditions) =>
        written.Count == conditions.Count
        && conditions.All(c => written.TryGetValue(c.Key, out var severity) && severity == c.Severity);
}
