namespace WedSync.Api.Features.Monitoring.Sampling.WaitEvents;

/// <summary>What one sample of one active backend is counted under.</summary>
public readonly record struct WaitKey(DateTimeOffset BucketStart, string WaitEventType, string WaitEvent, long? QueryId, string Role, Guid? OrganizationId);

/// <summary>
/// Samples counted in memory per bucket until the bucket closes, so the database sees one read per
/// sample and one insert per bucket. Used by the sampler's loop only (not thread-safe).
/// </summary>
public sealed class WaitSampleBuffer(TimeSpan bucketWidth)
{
    private readonly Dictionary<WaitKey, int> counts = [];

    public TimeSpan BucketWidth => bucketWidth;

    public int Keys => counts.Count;

    /// <summary>The start of the bucket <paramref name="at"/> falls in, on whole multiples of the width since the epoch (UTC).</summary>
    public DateTimeOffset BucketOf(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % bucketWidth.Ticks, TimeSpan.Zero);

    public void Add(WaitKey key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    /// <summary>The counts of every bucket that started before <paramref name="bucketStart"/>; they stay until <see cref="Remove"/>.</summary>
    public IReadOnlyList<KeyValuePair<WaitKey, int>> ClosedBefore(DateTimeOffset bucketStart) =>
        counts.Where(pair => pair.Key.BucketStart < bucketStart).ToList();

    public void Remove(IEnumerable<KeyValuePair<WaitKey, int>> written)
    {
        foreach (var pair in written)
        {
            counts.Remove(pair.Key);
        }
    }

    public void Clear() => counts.Clear();
}
