using WedSync.Tests.Monitoring;

namespace WedSync.Tests.Referrals.OutsideUtc;

/// <summary>
/// Issue 24, kind 1: on a server whose zone is not UTC, a time without an offset is still read as UTC
/// (as documented), and one with an offset is normalised to UTC before it reaches the driver.
/// </summary>
[Collection(OutsideUtcCollection.Name)]
public sealed class TimeWithoutOffsetTests(OutsideUtcFixture fixture)
{
    [Theory]
    [InlineData("2026-12-05T10:00:00", "2026-12-05T10:00:00+00:00")]
    [InlineData("2026-12-05T10:00:00%2B01:00", "2026-12-05T09:00:00+00:00")]
    [InlineData("2026-12-05", "2026-12-05T00:00:00+00:00")]
    public async Task Window_start_is_read_as_utc_whatever_the_server_zone(string from, string expected)
    {
        var body = await fixture.Api.GetOkAsync($"/api/monitoring/query-stats?from={from}&to=2026-12-06T00:00:00Z");
        Assert.Equal(expected, body.GetProperty("from").GetString());
    }
}
