using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Issue 24, kind 1: every time parameter takes ISO 8601 with any offset (or none, as UTC), is normalised
/// to UTC before the driver sees it, refuses the ends of the calendar with a 400, and every window is
/// bounded whichever ends are given.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class TimeInputTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData("/api/monitoring/query-stats?from=2026-12-05T10:00:00%2B01:00", "2026-12-05T09:00:00+00:00")]
    [InlineData("/api/monitoring/query-stats?from=2026-12-05T10:00:00-05:30&to=2026-12-06T23:00:00%2B14:00", "2026-12-05T15:30:00+00:00")]
    [InlineData("/api/monitoring/query-stats?from=2026-12-05T10:00:00", "2026-12-05T10:00:00+00:00")]
    public async Task Query_stats_window_with_any_offset_is_answered_in_utc(string path, string expectedFrom)
    {
        var body = await fixture.Api.GetOkAsync(path.Replace("from=2026-12-05", $"from={DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}", StringComparison.Ordinal)
            .Replace("to=2026-12-06", $"to={DateTime.UtcNow:yyyy-MM-dd}", StringComparison.Ordinal));
        Assert.Equal(expectedFrom.Replace("2026-12-05", $"{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}", StringComparison.Ordinal), body.GetProperty("from").GetString());
    }

    [Theory]
    [InlineData("/api/monitoring/query-stats?from=0001-01-01T00:00:00Z", "from")]
    [InlineData("/api/monitoring/query-stats?to=9999-12-31T23:59:59", "to")]
    [InlineData("/api/monitoring/query-stats?from=0001-01-01T00:00:00%2B01:00", "from")]
    [InlineData("/api/monitoring/query-stats?from=-infinity", "from")]
    [InlineData("/api/monitoring/query-stats?to=infinity", "to")]
    [InlineData("/api/monitoring/query-stats?from=yesterday", "from")]
    [InlineData("/api/monitoring/query-stats/42/history?to=9999-12-31T23:59:59Z", "to")]
    [InlineData("/api/monitoring/query-stats/42/history?from=1900-01-01", "from")]
    [InlineData("/api/monitoring/events?from=0001-01-01", "from")]
    [InlineData("/api/monitoring/events?to=9999-12-31T23:59:59.9999999Z", "to")]
    public async Task Times_at_the_ends_of_the_calendar_are_400_naming_the_parameter(string path, string field)
    {
        using var response = await fixture.Api.GetAsync(path, MonitoringCalls.AdminToken);
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/monitoring/query-stats?from=2001-01-01T00:00:00Z")]
    [InlineData("/api/monitoring/query-stats?from=2001-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("/api/monitoring/query-stats/42/history?from=2020-01-01T00:00:00Z")]
    public async Task A_window_longer_than_400_days_is_400_whichever_ends_are_given(string path)
    {
        using var response = await fixture.Api.GetAsync(path, MonitoringCalls.AdminToken);
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("from", out _), problem.ToString());
    }

    [Fact]
    public async Task Conversion_time_at_the_start_of_the_calendar_is_400_naming_the_field()
    {
        using var response = await fixture.Api.PostJsonAsync("/api/referrals/conversions", ReferralScenario.ServiceToken,
            new { referralCode = "ABCD2345", referredUserId = Guid.NewGuid(), @event = "signed_up", occurredAt = "0001-01-01T00:00:00+01:00" });
        var problem = await response.AssertProblemAsync(400);
        Assert.Contains("occurredAt", problem.GetProperty("errors").ToString(), StringComparison.Ordinal);
    }
}
