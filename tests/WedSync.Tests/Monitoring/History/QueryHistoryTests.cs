using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.History;

/// <summary>
/// Query history through the API: interval deltas of pg_stat_statements stored by the fleet's one
/// history sampler, ranked over a window and as a statement's series, surviving resets, with retention
/// by dropping day partitions.
/// </summary>
[Collection(HistoryCollection.Name)]
public sealed class QueryHistoryTests(HistoryFixture fixture)
{
    /// <summary>
    /// Three intervals of a workload: 7 calls; a full pg_stat_statements_reset() then 9 calls (more than
    /// before the reset, so a plain difference would say 2: the stats_reset of pg_stat_statements_info
    /// tells); a reset of this one entry (stats_reset unchanged) then 3 calls (fewer than before: the
    /// counter went down, so it restarted from 0). Nothing stored is lost and every interval counts right.
    /// </summary>
    [Fact]
    public async Task Window_ranking_and_series_count_every_call_across_resets()
    {
        var table = $"hist_{Guid.NewGuid():N}"[..20];
        await fixture.ExecuteAsync($"CREATE TABLE public.{table} (id int PRIMARY KEY, v int NOT NULL); ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY; INSERT INTO public.{table} SELECT g, g % 10 FROM generate_series(1, 2000) g");
        var statement = $"SELECT count(*) FROM public.{table} WHERE v = @v";
        async Task RunAsync(int calls)
        {
            for (var i = 0; i < calls; i++)
            {
                await fixture.ExecuteAsync(statement, ("v", i % 10));
            }
        }

        var start = await fixture.NextCaptureAsync();
        await RunAsync(7);
        var first = await fixture.NextCaptureAsync();
        await fixture.ExecuteAsync(ResetSql("pg_stat_statements_reset()"));
        await RunAsync(9);
        var second = await fixture.NextCaptureAsync();
        var queryId = await QueryIdAsync(start, second, table);
        await fixture.ExecuteAsync(ResetSql($"pg_stat_statements_reset(0, 0, {queryId})"));
        await RunAsync(3);
        var third = await fixture.NextCaptureAsync();

        Assert.Equal(7, await CallsInWindowAsync(start, first, table));
        Assert.Equal(9, await CallsInWindowAsync(first, second, table));
        Assert.Equal(3, await CallsInWindowAsync(second, third, table));
        Assert.Equal(19, await CallsInWindowAsync(start, third, table));

        var series = await fixture.Api.GetOkAsync(
            $"/api/monitoring/query-stats/{queryId}/history?from={HistoryCaptures.Query(start)}&to={HistoryCaptures.Query(third)}");
        Assert.Contains(table, series.GetProperty("query").GetString());
        var points = series.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(19, points.Sum(p => p.GetProperty("calls").GetInt64()));
        Assert.All(points, p => Assert.True(p.GetProperty("calls").GetInt64() > 0));
        var times = points.Select(p => p.GetProperty("capturedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
        // The full reset (seen through pg_stat_statements_info.stats_reset) and the entry's reset both mark their interval.
        // (The sampler may capture one more interval of its own meanwhile: it carries no reset.)
        Assert.False(points[0].GetProperty("reset").GetBoolean());
        Assert.Equal(2, points.Count(p => p.GetProperty("reset").GetBoolean()));

        // Without from/to the endpoint keeps answering from the counters since the reset (maxTimeMs set, no window).
        var sinceReset = await fixture.Api.GetOkAsync("/api/monitoring/query-stats?top=5");
        Assert.Equal(JsonValueKind.Null, sinceReset.GetProperty("from").ValueKind);

        using var unknown = await fixture.Api.GetAsync("/api/monitoring/query-stats/1234567/history", MonitoringCalls.AdminToken);
        await unknown.AssertProblemAsync(404);
        using var backwards = await fixture.Api.GetAsync(
            $"/api/monitoring/query-stats?from={HistoryCaptures.Query(third)}&to={HistoryCaptures.Query(start)}", MonitoringCalls.AdminToken);
        await backwards.AssertProblemAsync(400);
        using var notAdmin = await fixture.Api.GetAsync($"/api/monitoring/query-stats/{queryId}/history", TestTokens.For(Guid.NewGuid(), []));
        await notAdmin.AssertProblemAsync(403);
    }

    /// <summary>
    /// Issue 24's example: 40 calls, one of them slow; a reset of this one entry; then 60 fast calls. Calls
    /// went up (40 → 60), so a plain difference stored 20 and no flag; the entry's max time went down, which
    /// a counter that did not restart never does. The interval is stored reset (a lower bound) with the 60
    /// calls since the restart, and the window ranking says the statement's counts include a restart.
    /// </summary>
    [Fact]
    public async Task Entry_reset_followed_by_more_calls_is_flagged_and_counts_the_calls_since()
    {
        var table = $"hrst_{Guid.NewGuid():N}"[..20];
        await fixture.ExecuteAsync($"CREATE TABLE public.{table} (id int PRIMARY KEY); ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY; INSERT INTO public.{table} VALUES (1)");
        var statement = $"SELECT count(*) FROM public.{table} t, pg_sleep(@s)";
        async Task RunAsync(int calls, double firstSleep)
        {
            for (var i = 0; i < calls; i++)
            {
                await fixture.ExecuteAsync(statement, ("s", i == 0 ? firstSleep : 0.0));
            }
        }

        var start = await fixture.NextCaptureAsync();
        await RunAsync(40, 0.2);
        var before = await fixture.NextCaptureAsync();
        var queryId = await QueryIdAsync(start, before, table);
        await fixture.ExecuteAsync(ResetSql($"pg_stat_statements_reset(0, 0, {queryId})"));
        await RunAsync(60, 0.0);
        var after = await fixture.NextCaptureAsync();

        var series = await fixture.Api.GetOkAsync(
            $"/api/monitoring/query-stats/{queryId}/history?from={HistoryCaptures.Query(start)}&to={HistoryCaptures.Query(after)}");
        var points = series.GetProperty("points").EnumerateArray().ToList();
        // The sampler may capture once more in the middle of either run (a loaded machine): the series then
        // splits a run in two, so the runs are compared by sums either side of the first flagged point.
        var firstReset = points.FindIndex(point => point.GetProperty("reset").GetBoolean());
        Assert.True(firstReset >= 1, $"no reset flagged after the first interval: {series}");
        Assert.Equal(40, points.Take(firstReset).Sum(point => point.GetProperty("calls").GetInt64()));
        var since = points.Skip(firstReset).Sum(point => point.GetProperty("calls").GetInt64());
        Assert.True(since >= 60, $"{since} calls stored where 60 ran");

        var ranked = await RankedAsync(before, after, table);
        Assert.True(ranked is not null);
        Assert.True(ranked.Value.GetProperty("calls").GetInt64() >= 60);
        Assert.True(ranked.Value.GetProperty("reset").GetBoolean());
        var earlier = await RankedAsync(start, before, table);
        Assert.False(earlier!.Value.GetProperty("reset").GetBoolean());
    }

    /// <summary>
    /// pg_stat_statements moved to another schema (Supabase installs it in <c>extensions</c>) is found
    /// through pg_extension: the calls made after the move are stored.
    /// </summary>
    [Fact]
    public async Task History_follows_pg_stat_statements_into_another_schema()
    {
        var original = (string)(await fixture.ExecuteAsync(
            "SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'"))!;
        var moved = original == "history_ext" ? "history_ext2" : "history_ext";
        var table = $"hext_{Guid.NewGuid():N}"[..20];
        await fixture.ExecuteAsync($"CREATE TABLE public.{table} (id int PRIMARY KEY); ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY");
        await fixture.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {moved}; ALTER EXTENSION pg_stat_statements SET SCHEMA {moved}");
        try
        {
            var start = await fixture.NextCaptureAsync();
            for (var i = 0; i < 4; i++)
            {
                await fixture.ExecuteAsync($"SELECT count(*) FROM public.{table} WHERE id = @id", ("id", i));
            }

            var end = await fixture.NextCaptureAsync();
            Assert.Equal(4, await CallsInWindowAsync(start, end, table));
        }
        finally
        {
            await fixture.ExecuteAsync($"ALTER EXTENSION pg_stat_statements SET SCHEMA \"{original}\"");
        }
    }

    /// <summary>
    /// Retention drops whole day partitions: one 20 days old goes at the next capture, one 10 days old
    /// (inside the 14 days) stays, and partitions exist ahead of today.
    /// </summary>
    [Fact]
    public async Task Partitions_past_retention_are_dropped_and_partitions_exist_ahead()
    {
        var today = (DateTime)(await fixture.ExecuteAsync("SELECT (now() AT TIME ZONE 'UTC')::date::timestamp"))!;
        string Create(int daysAgo)
        {
            var day = today.AddDays(-daysAgo);
            return $"CREATE TABLE IF NOT EXISTS monitoring_history.query_history_p{day:yyyyMMdd} PARTITION OF monitoring_history.query_history "
                + $"FOR VALUES FROM ('{day:yyyy-MM-dd} 00:00+00') TO ('{day.AddDays(1):yyyy-MM-dd} 00:00+00');"
                + $"INSERT INTO monitoring_history.query_history VALUES ('{day:yyyy-MM-dd} 12:00+00', 42, 1, 1, 1, 1, 1);";
        }

        await fixture.ExecuteAsync(Create(20) + Create(10));
        await fixture.NextCaptureAsync();

        var partitions = await PartitionsAsync();
        Assert.DoesNotContain($"query_history_p{today.AddDays(-20):yyyyMMdd}", partitions);
        Assert.Contains($"query_history_p{today.AddDays(-10):yyyyMMdd}", partitions);
        Assert.Contains($"query_history_p{today:yyyyMMdd}", partitions);
        Assert.Contains($"query_history_p{today.AddDays(2):yyyyMMdd}", partitions);
        Assert.Equal(1L, await fixture.ExecuteAsync("SELECT count(*) FROM monitoring_history.query_history WHERE queryid = 42"));
    }

    private async Task<List<string>> PartitionsAsync()
    {
        var names = (string[])(await fixture.ExecuteAsync(
            "SELECT array_agg(c.relname::text) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'monitoring_history.query_history'::regclass"))!;
        return names.ToList();
    }

    private async Task<long> QueryIdAsync(DateTimeOffset from, DateTimeOffset to, string table)
    {
        var item = await RankedAsync(from, to, table);
        Assert.True(item is not null, $"{table}'s statement is not in the window ranking");
        return long.Parse(item.Value.GetProperty("queryId").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<long> CallsInWindowAsync(DateTimeOffset from, DateTimeOffset to, string table) =>
        (await RankedAsync(from, to, table))?.GetProperty("calls").GetInt64() ?? 0;

    private async Task<JsonElement?> RankedAsync(DateTimeOffset from, DateTimeOffset to, string table)
    {
        var body = await fixture.Api.GetOkAsync(
            $"/api/monitoring/query-stats?from={HistoryCaptures.Query(from)}&to={HistoryCaptures.Query(to)}&top=100&orderBy=calls");
        Assert.Equal(JsonValueKind.Null, body.GetProperty("statsResetAt").ValueKind);
        foreach (var item in body.GetProperty("items").EnumerateArray())
        {
            if (item.GetProperty("query").GetString() is { } text && text.Contains(table, StringComparison.Ordinal) && text.Contains("count(*)", StringComparison.Ordinal))
            {
                return item;
            }
        }

        return null;
    }

    /// <summary>A call of the extension's function in whichever schema it is installed (extensions, since issue 15).</summary>
    private static string ResetSql(string call) => $"""
        DO $reset$ BEGIN
            EXECUTE format('SELECT %I.{call}', (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'));
        END $reset$
        """;
}
