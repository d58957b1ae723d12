using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using WedSync.Api.Features.Monitoring;
using WedSync.Api.Features.Monitoring.Sampling;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Monitoring:SamplerEnabled: an instance switched off never samples (its sampler ends at once and no
/// gauge reports); switched on, the same host keeps sampling. (The fixture's API holds the sampler lease
/// of this database, so an enabled second instance charts nothing either: that part is the lease's test, Pooling/SamplerUnderPgBouncerTests.)
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class SamplerSwitchTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sampler_runs_only_when_enabled(bool enabled)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Monitoring:SamplerEnabled"] = enabled.ToString(),
            ["Monitoring:SampleInterval"] = "00:00:01",
            // The monitoring reads' own pool is made from the connection string, as in the API.
            ["ConnectionStrings:wedsync"] = fixture.DatabaseConnectionString,
        });
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(fixture.DatabaseConnectionString));
        builder.Services.AddWedSyncMonitoring();
        using var host = builder.Build();

        var published = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MonitoringGauges.MeterName && instrument.Name == "wedsync.monitoring.health_score")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => published.Add(instrument.Name));
        listener.Start();

        await host.StartAsync();
        try
        {
            var sampler = host.Services.GetServices<IHostedService>().OfType<MonitoringSampler>().Single();
            await Task.Delay(TimeSpan.FromSeconds(3));
            listener.RecordObservableInstruments();

            Assert.Equal(!enabled, sampler.ExecuteTask!.IsCompleted);
            Assert.Empty(published);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
