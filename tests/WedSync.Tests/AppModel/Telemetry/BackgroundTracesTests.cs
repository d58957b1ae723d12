using WedSync.Api.Features.Monitoring.Sampling;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;
using WedSync.Tests.Monitoring;

namespace WedSync.Tests.AppModel.Telemetry;

/// <summary>
/// Issue 28, telemetry worth reading: with nobody calling, the API's background loops (sampler every second here,
/// detector, wait sampler, outbox poll…) export a handful of root traces a minute, not one per poll (about 91 a
/// minute before); a kept pass holds its database calls; a request's trace is whole; the sampler's duration
/// histogram has sub-second buckets. Exported over OTLP/HTTP to a receiver of the test's own, as to the dashboard.
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed class BackgroundTracesTests(AppHostFixture fixture)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Idle_api_exports_a_handful_of_background_traces_a_minute_and_whole_request_traces()
    {
        await using var receiver = new OtlpReceiver();
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var settings = new Dictionary<string, string>(receiver.Settings)
        {
            // Ticks as often as allowed: without the sampler this alone is 60 root traces a minute.
            ["Monitoring:SampleInterval"] = "00:00:01",
        };
        await using var api = await ApiServer.StartAsync(database.ConnectionString, settings);

        // The window starts once start-up is over; the count is of roots that began inside it.
        var from = DateTimeOffset.UtcNow;
        var to = from + Quiet;
        // A measurement over time, with the AppHost's health probe as its only caller: /health is filtered out of
        // the traces, and its database check's spans must not become roots instead (npgsql/npgsql#6225).
        // Then two export intervals for the window's last spans to arrive.
        while (DateTimeOffset.UtcNow < to + TimeSpan.FromSeconds(2))
        {
            using var probe = await api.Client.GetAsync("/health");
            Assert.Equal(System.Net.HttpStatusCode.OK, probe.StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        var roots = receiver.Spans.Where(s => s.IsRoot && s.Start >= from && s.Start < to).ToList();
        var perMinute = roots.Count * TimeSpan.FromMinutes(1) / Quiet;
        Assert.True(perMinute <= 6, $"{roots.Count} root traces in {Quiet.TotalSeconds} s with nobody calling: {string.Join(", ", roots.Select(r => r.Name))}");

        // Background work is still there to look at: a kept pass with its database calls under it.
        var passes = receiver.Spans.Where(s => s.IsRoot && s.Name.StartsWith("background ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(passes);
        Assert.Contains(passes, pass => receiver.Spans.Any(s => s.TraceId == pass.TraceId && s.ParentSpanId == pass.SpanId));

        // A request is a trace of its own, with its database calls (client spans) in it.
        await api.Client.GetOkAsync("/api/migrations");
        var request = await MonitoringCalls.PollAsync(
            () => Task.FromResult(receiver.Spans.FirstOrDefault(s => s.IsRoot && s.Kind == 2 && s.Name.Contains("/api/migrations", StringComparison.Ordinal))),
            found => found is not null, Patience);
        Assert.NotNull(request);
        var calls = await MonitoringCalls.PollAsync(
            () => Task.FromResult(receiver.Spans.Count(s => s.TraceId == request.TraceId && s.Kind == 3)),
            count => count > 0, Patience);
        Assert.True(calls > 0, $"The trace of GET /api/migrations holds no database call: {string.Join(", ", receiver.Spans.Where(s => s.TraceId == request.TraceId).Select(s => s.Name))}");

        // The sampler's pass duration: sub-second boundaries, as declared on the instrument.
        var histogram = await MonitoringCalls.PollAsync(
            () => Task.FromResult(receiver.Histograms.TryGetValue("wedsync.monitoring.sample.duration", out var h) ? h : default),
            h => h.Count > 0, Patience);
        Assert.Equal(MonitoringGauges.SampleDurationBuckets, histogram.Bounds);
        Assert.Contains(0.1, histogram.Bounds);
        Assert.True(histogram.Bounds[0] < 0.01, $"first boundary {histogram.Bounds.FirstOrDefault()} s");
    }
}
