using System.Collections.Concurrent;
using System.Diagnostics;

namespace WedSync.Api.Platform.RateLimiting;

/// <summary>
/// When each partition's fixed window limiter began, so a 429 can say when its window really renews.
/// .NET's FixedWindowRateLimiter reports the whole window as RetryAfter however much of it is left
/// (dotnet/runtime#92557); it renews on a timer every window from its creation, which is recorded here.
/// </summary>
public sealed class WindowStarts(TimeSpan window)
{
    // A margin for the renewal timer firing late on a busy machine: the promise must hold.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(250);

    private const int MaxPartitions = 100_000;

    private readonly ConcurrentDictionary<string, long> starts = new(StringComparer.Ordinal);

    /// <summary>Called when the limiter of <paramref name="partition"/> is created (again, after it was idle).</summary>
    public void Started(string partition)
    {
        if (starts.Count >= MaxPartitions)
        {
            // Bounded memory under a flood of keys: forgotten partitions fall back to the whole window.
            starts.Clear();
        }

        starts[partition] = Stopwatch.GetTimestamp();
    }

    /// <summary>Whole seconds until the partition's window renews (the whole window when unknown).</summary>
    public int SecondsUntilRenewal(string partition)
    {
        if (!starts.TryGetValue(partition, out var start))
        {
            return (int)Math.Ceiling(window.TotalSeconds);
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var intoWindow = TimeSpan.FromTicks(elapsed.Ticks % window.Ticks);
        return Math.Max(1, (int)Math.Ceiling((window - intoWindow + TimerSlack).TotalSeconds));
    }
}
