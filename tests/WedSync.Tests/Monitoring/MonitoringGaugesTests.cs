using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WedSync.Api.Features.Monitoring.Sampling;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Database;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Done-when 6: every WedSync.Monitoring gauge reports a value from a real sample. A MeterListener in
/// the test process cannot see the API process's meters, so the test runs the sampler's reader and
/// gauges here against the fixture's database; the API registers the same classes and ServiceDefaults
/// exports the meter over OTLP to the dashboard.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class MonitoringGaugesTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Every_gauge_reports_a_value_after_a_sample()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var gauges = new MonitoringGauges(services.GetRequiredService<IMeterFactory>());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new($"ConnectionStrings:{DatabaseSetup.ConnectionName}", fixture.DatabaseConnectionString)]).Build();
        await using var monitoring = new MonitoringDatabase(configuration, Options.Create(new MonitoringReadOptions()));
        var reader = new MonitoringSampleReader(monitoring);

        var reported = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MonitoringGauges.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => reported[instrument.Name] = value);
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => reported[instrument.Name] = value);
        listener.Start();

        listener.RecordObservableInstruments();
        Assert.Empty(reported);

        var sample = await reader.ReadAsync(CancellationToken.None);
        gauges.Publish(sample.Snapshot);
        listener.RecordObservableInstruments();

        Assert.Equal(MonitoringGauges.InstrumentNames.Order(), reported.Keys.Order());
        Assert.True(reported["wedsync.monitoring.connections.in_use"] >= 1, "our own connection is in use");
        Assert.InRange(reported["wedsync.monitoring.health_score"], 0, 100);
    }
}
