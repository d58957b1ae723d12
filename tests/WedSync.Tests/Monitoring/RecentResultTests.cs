using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// The reuse rules behind the summary and the advisor: callers share one computation, a recent result
/// is served without computing, and a caller asking for a fresh one never gets a computation that was
/// already running when it asked (that one may miss the change the caller just made).
/// </summary>
public sealed class RecentResultTests
{
    // The results' ages are read from this clock, moved by the tests, so "later" needs no sleep.
    private readonly FakeTimeProvider time = new();
    private readonly RecentResult<string> results;
    private readonly List<TaskCompletionSource<string>> computations = [];

    public RecentResultTests()
    {
        results = new(time, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance));
    }

    [Fact]
    public async Task Concurrent_callers_share_one_computation_and_a_recent_result_is_served_without_one()
    {
        var first = Get(refresh: false);
        var second = Get(refresh: false);
        await StartedAsync(1);
        Assert.Single(computations);

        computations[0].SetResult("one");
        Assert.Equal("one", (await first).Value);
        Assert.Same(await first, await second);

        var third = await Get(refresh: false);
        Assert.Equal("one", third.Value);
        Assert.Single(computations);
    }

    [Fact]
    public async Task Fresh_request_starts_its_own_computation_even_while_one_is_running()
    {
        var stale = Get(refresh: false);
        await StartedAsync(1);
        time.Advance(TimeSpan.FromMilliseconds(5));
        var fresh = Get(refresh: true);
        await StartedAsync(2);

        computations[1].SetResult("after the change");
        computations[0].SetResult("before the change");
        Assert.Equal("after the change", (await fresh).Value);
        Assert.Equal("before the change", (await stale).Value);

        // The newer computation stays the one served, whichever finished last.
        Assert.Equal("after the change", (await Get(refresh: false)).Value);
    }

    [Fact]
    public async Task Zero_max_age_computes_every_time()
    {
        var first = Get(refresh: false, maxAge: TimeSpan.Zero);
        await StartedAsync(1);
        computations[0].SetResult("one");
        await first;
        time.Advance(TimeSpan.FromMilliseconds(5));

        var second = Get(refresh: false, maxAge: TimeSpan.Zero);
        await StartedAsync(2);
        computations[1].SetResult("two");
        Assert.Equal("two", (await second).Value);
    }

    /// <summary>Computations start on the thread pool; waits until <paramref name="count"/> have, and no more.</summary>
    private async Task StartedAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Count() < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        await Task.Delay(20);
        Assert.Equal(count, Count());
    }

    private int Count()
    {
        lock (computations)
        {
            return computations.Count;
        }
    }

    private Task<Computed<string>> Get(bool refresh, TimeSpan? maxAge = null) =>
        results.GetAsync(_ =>
        {
            var computation = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (computations)
            {
                computations.Add(computation);
            }

            return computation.Task;
        }, maxAge ?? TimeSpan.FromMinutes(1), refresh, CancellationToken.None);
}
