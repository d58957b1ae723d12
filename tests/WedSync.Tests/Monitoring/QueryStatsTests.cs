using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>Statement statistics come from pg_stat_statements with their reset time, credentials redacted.</summary>
[Collection(AppHostCollection.Name)]
public sealed class QueryStatsTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Query_stats_show_top_statements_redacted_with_reset_time()
    {
        for (var i = 0; i < 30; i++)
        {
            await fixture.ExecuteAsync("SELECT 'hunter2' AS password");
        }

        var body = await fixture.Api.GetOkAsync("/api/monitoring/query-stats?top=100&orderBy=calls");
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(items.Count, 1, 100);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("statsResetAt").ValueKind);
        var calls = items.Select(i => i.GetProperty("calls").GetInt64()).ToList();
        Assert.Equal(calls.OrderDescending(), calls);
        Assert.DoesNotContain(items, i => i.GetProperty("query").GetString()?.Contains("password", StringComparison.OrdinalIgnoreCase) == true);
        Assert.Contains(items, i => i.GetProperty("query").GetString() == "[REDACTED - SENSITIVE QUERY]");

        using var bad = await fixture.Api.GetAsync("/api/monitoring/query-stats?orderBy=rows", MonitoringCalls.AdminToken);
        await bad.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Query_ids_travel_as_exact_decimal_strings_that_the_history_lookup_takes_back()
    {
        await fixture.ExecuteAsync("SELECT 'query id round trip'");
        var body = await fixture.Api.GetOkAsync("/api/monitoring/query-stats?top=100&orderBy=calls");
        var ids = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("queryId"))
            .Where(id => id.ValueKind != System.Text.Json.JsonValueKind.Null).ToList();
        Assert.NotEmpty(ids);
        // A double keeps 53 bits: most pg_stat_statements ids need all 64, so a number would round.
        Assert.All(ids, id => Assert.Matches("^-?[0-9]{1,19}$", id.GetString()!));

        foreach (var extreme in new[] { long.MinValue, long.MaxValue })
        {
            using var history = await fixture.Api.GetAsync($"/api/monitoring/query-stats/{extreme}/history", MonitoringCalls.AdminToken);
            await history.AssertProblemAsync(404);
        }
    }
}
