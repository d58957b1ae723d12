using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.History;

/// <summary>Days left of a sequence at the rate of the stored capacity samples, in the capacity endpoint and as an advisor finding.</summary>
[Collection(HistoryCollection.Name)]
public sealed class CapacityForecastTests(HistoryFixture fixture)
{
    private const double RatePerSecond = 50;
    private const long Start = 2_000_000_000;
    private const long IntMax = 2_147_483_647;

    /// <summary>
    /// A bigint sequence feeding an int column (so it runs out at 2,147,483,647, not at the sequence's
    /// own maximum), advanced at 50 values a second from 2,000,000,000: 4.32 M a day, about 34 days left.
    /// The forecast is within 10 % of the true days left, and the advisor names it.
    /// </summary>
    [Fact]
    public async Task A_sequence_advanced_at_a_known_rate_gets_days_left_within_ten_percent()
    {
        var name = $"cap_{Guid.NewGuid():N}"[..16];
        var sequence = $"public.{name}_seq";
        await fixture.ExecuteAsync($"CREATE SEQUENCE {sequence} AS bigint; CREATE TABLE public.{name} (id int PRIMARY KEY DEFAULT nextval('{sequence}')); ALTER TABLE public.{name} ENABLE ROW LEVEL SECURITY");
        var t0 = (double)(await fixture.ExecuteAsync("SELECT extract(epoch FROM clock_timestamp())::float8"))!;

        using var stop = new CancellationTokenSource();
        var advance = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await fixture.ExecuteAsync(
                    $"SELECT setval('{sequence}', @start + ((extract(epoch FROM clock_timestamp()) - @t0) * @rate)::bigint)",
                    ("start", Start), ("t0", t0), ("rate", RatePerSecond));
                await Task.Delay(50);
            }
        });

        try
        {
            var forecast = await MonitoringCalls.PollAsync(
                async () => Forecast(await fixture.Api.GetOkAsync("/api/monitoring/capacity?top=5"), sequence),
                f => f is { } found && found.GetProperty("samples").GetInt32() >= 5,
                TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
            Assert.True(forecast is not null, $"no forecast for {sequence}");
            var value = (double)(long)(await fixture.ExecuteAsync($"SELECT last_value FROM {sequence}"))!;
            var trueDaysLeft = (IntMax - value) / (RatePerSecond * 86_400);
            var daysLeft = forecast.Value.GetProperty("daysLeft").GetDouble();
            Assert.InRange(daysLeft, trueDaysLeft * 0.9, trueDaysLeft * 1.1);
            Assert.Equal(IntMax, forecast.Value.GetProperty("maxValue").GetDecimal());
            Assert.InRange(forecast.Value.GetProperty("perDay").GetDouble(), RatePerSecond * 86_400 * 0.9, RatePerSecond * 86_400 * 1.1);

            var advisor = await fixture.Api.GetFreshOkAsync("/api/monitoring/advisor");
            var finding = advisor.GetProperty("findings").EnumerateArray()
                .SingleOrDefault(f => f.GetProperty("check").GetString() == "capacity_forecast" && f.GetProperty("object").GetString() == sequence);
            Assert.Equal(JsonValueKind.Object, finding.ValueKind);
            Assert.Equal("warn", finding.GetProperty("level").GetString());
            Assert.Matches(@"days left at 4\.[0-9] M/day", finding.GetProperty("why").GetString());
        }
        finally
        {
            await stop.CancelAsync();
            await advance;
        }
    }

    /// <summary>Tables and indexes have a size for today in the capacity history.</summary>
    [Fact]
    public async Task Tables_and_indexes_have_a_daily_size()
    {
        var rows = (long)(await fixture.ExecuteAsync(
            "SELECT count(*) FROM monitoring_history.object_sizes WHERE day = (now() AT TIME ZONE 'UTC')::date AND object_name IN ('public.referrals', 'public.referrals_pkey')"))!;
        var body = await fixture.Api.GetOkAsync("/api/monitoring/capacity?top=1000");
        Assert.Contains(body.GetProperty("objects").EnumerateArray(), o => o.GetProperty("kind").GetString() == "index");
        Assert.Contains(body.GetProperty("objects").EnumerateArray(), o => o.GetProperty("kind").GetString() == "table" && o.GetProperty("bytes").GetInt64() > 0);
        Assert.True(rows >= 1, "no daily size for public.referrals");
    }

    private static JsonElement? Forecast(JsonElement body, string sequence)
    {
        foreach (var f in body.GetProperty("forecasts").EnumerateArray())
        {
            if (f.GetProperty("kind").GetString() == "sequence" && f.GetProperty("object").GetString() == sequence)
            {
                return f;
            }
        }

        return null;
    }
}
