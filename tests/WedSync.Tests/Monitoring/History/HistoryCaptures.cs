using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.History;

/// <summary>Waiting for the history sampler of the fixture's API (Monitoring:QueryHistoryInterval = 2 s in tests).</summary>
public static class HistoryCaptures
{
    /// <summary>The database's clock now.</summary>
    public static async Task<DateTimeOffset> DatabaseNowAsync(this AppHostFixture fixture) =>
        new((DateTime)(await fixture.ExecuteAsync("SELECT clock_timestamp()"))!, TimeSpan.Zero);

    /// <summary>
    /// Waits for the first query capture that started after everything done so far, so all of it is
    /// stored; returns its captured_at.
    /// </summary>
    public static async Task<DateTimeOffset> NextCaptureAsync(this AppHostFixture fixture)
    {
        var after = await fixture.DatabaseNowAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var captured = await fixture.ExecuteAsync(
                "SELECT min(captured_at) FROM monitoring_history.query_captures WHERE captured_at > @after", ("after", after));
            if (captured is DateTime at)
            {
                return new DateTimeOffset(at, TimeSpan.Zero);
            }

            Assert.True(DateTime.UtcNow < deadline, "The history sampler stored no capture within 30 s.");
            await Task.Delay(200);
        }
    }

    public static string Query(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
}
