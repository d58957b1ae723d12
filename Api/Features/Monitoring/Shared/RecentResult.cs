namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>A computed value and the moment it describes.</summary>
public sealed record Computed<T>(T Value, DateTimeOffset ComputedAt);

/// <summary>
/// The last result of an expensive catalog walk (the summary, the advisor), reused while it is younger
/// than a maximum age. Callers that arrive while it is being computed share that computation, so a
/// dashboard polled by many operators costs the database one walk per interval, not one per request.
/// The computation runs on the host's lifetime, not a caller's: one caller hanging up must not fail
/// the others waiting for the same result.
/// </summary>
public sealed class RecentResult<T>(TimeProvider time, IHostApplicationLifetime lifetime)
    where T : class
{
    private readonly Lock gate = new();
    private Computed<T>? latest;
    private Task<Computed<T>>? running;
    private DateTimeOffset runningSince;

    /// <summary>
    /// The latest result when it is at most <paramref name="maxAge"/> old, otherwise a new one. With
    /// <paramref name="refresh"/>, only a computation that started after this call may answer it: one
    /// already under way may not see a change the caller just made.
    /// </summary>
    public async Task<Computed<T>> GetAsync(
        Func<CancellationToken, Task<T>> compute, TimeSpan maxAge, bool refresh, CancellationToken ct)
    {
        Task<Computed<T>> pending;
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (!refresh && latest is not null && now - latest.ComputedAt <= maxAge)
            {
                return latest;
            }

            if (running is null || (refresh && runningSince < now))
            {
                runningSince = now;
                running = ComputeAsync(compute, now);
            }

            pending = running;
        }

        return await pending.WaitAsync(ct);
    }

    /// <summary>The newest result held, however old; null before the first.</summary>
    public Computed<T>? Latest
    {
        get
        {
            lock (gate)
            {
                return latest;
            }
        }
    }

    /// <summary>Takes a result computed elsewhere (the sampler's tick) unless a newer one is held.</summary>
    public void Offer(T value, DateTimeOffset computedAt)
    {
        lock (gate)
        {
            if (latest is null || latest.ComputedAt < computedAt)
            {
                latest = new Computed<T>(value, computedAt);
            }
        }
    }

    private async Task<Computed<T>> ComputeAsync(Func<CancellationToken, Task<T>> compute, DateTimeOffset startedAt)
    {
        // Never run inside the caller's lock, even if the computation completes synchronously.
        await Task.Yield();
        try
        {
            var value = await compute(lifetime.ApplicationStopping);
            Offer(value, startedAt);
            return new Computed<T>(value, startedAt);
        }
        finally
        {
            lock (gate)
            {
                // A later refresh may have started another computation meanwhile: leave that one in place.
                if (runningSince == startedAt)
                {
                    running = null;
                }
            }
        }
    }
}
