using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.History;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// The background sampler: every <see cref="MonitoringOptions.SampleInterval"/>, the instance holding
/// the sampler lease reads a sample, publishes the gauges, records and resolves the tick's condition
/// events (RLS risk, schema drift), and runs the retention clean-up every <see cref="MonitoringOptions.CleanupInterval"/>.
/// A failing tick (database down, restarting) is logged and the next interval tries again: monitoring never stops the API.
/// <para>
/// Conditions with a threshold in time or size (slow statements, lock waits, connection use) are not
/// left to the tick: <see cref="ConditionDetector"/> runs beside it while this instance holds the lease,
/// reading them every <see cref="MonitoringOptions.DetectionInterval"/> and at each computed crossing, so
/// a slow or stuck tick delays none of them.
/// </para>
/// </summary>
public sealed class MonitoringSampler(
    NpgsqlDataSource dataSource,
    MonitoringSampleReader reader,
    ConditionEvents events,
    ConditionDetector detector,
    SchemaDriftWatch schemaDrift,
    MonitoringGauges gauges,
    GaugeHistory gaugeHistory,
    MonitoringAssessments assessments,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<MonitoringSampler> logger) : BackgroundService
{
    private DateTimeOffset nextCleanup = DateTimeOffset.MinValue;

    // Whether the last lease attempt kept this instance the sampler; the detector reads only then.
    private volatile bool holding;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SamplerEnabled)
        {
            logger.LogInformation("Database monitoring sampler is off on this instance (Monitoring:SamplerEnabled=false)");
            return;
        }

        // Three missed ticks free the lease for another instance.
        await using var samplerLease = new SamplerLease(dataSource, options.Value.SampleInterval * 3);
        try
        {
            await Task.WhenAll(SampleAsync(samplerLease, stoppingToken), detector.RunAsync(() => holding, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            holding = false;
            gauges.Clear();
        }
    }

    private async Task SampleAsync(SamplerLease samplerLease, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var nextTick = time.GetUtcNow() + options.Value.SampleInterval;
            await TickAsync(samplerLease, ct);
            var delay = nextTick - time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, ct);
            }
        }
    }

    private async Task TickAsync(SamplerLease samplerLease, CancellationToken ct)
    {
        using var pass = BackgroundTraces.StartPass("monitoring.sample");
        try
        {
            holding = await samplerLease.TryHoldAsync(ct);
            if (!holding)
            {
                // Another instance samples; this one charts nothing rather than a stale copy.
                gauges.Clear();
                return;
            }

            var readAt = time.GetUtcNow();
            var started = time.GetTimestamp();
            var succeeded = false;
            try
            {
                var sample = await reader.ReadAsync(ct);
                gauges.Publish(sample.Snapshot);
                assessments.OfferSummary(sample.SummaryJson, readAt);
                await events.ReconcileAsync([.. SampledCondition.From(sample), .. await schemaDrift.ConditionsAsync(ct)], SampledCondition.TickScopes, ct);
                await gaugeHistory.RecordWhenDueAsync(sample.Snapshot, ct);
                await CleanUpWhenDueAsync(ct);
                succeeded = true;
                logger.LogDebug("Monitoring sample taken by {Holder}", samplerLease.Holder);
            }
            finally
            {
                gauges.RecordSampleDuration(time.GetElapsedTime(started), succeeded);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            gauges.Clear();
            pass?.SetStatus(ActivityStatusCode.Error, exception.Message);
            logger.LogWarning(exception, "Database monitoring sample failed; trying again in {Interval}", options.Value.SampleInterval);
        }
    }

    private async Task CleanUpWhenDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < nextCleanup)
        {
            return;
        }

        await using var command = dataSource.CreateCommand("SELECT cleanup_monitoring_data(@resolved, @unresolved)");
        command.Parameters.AddWithValue("resolved", options.Value.ResolvedRetention);
        command.Parameters.AddWithValue("unresolved", options.Value.UnresolvedRetention);
        var removed = (int)(await command.ExecuteScalarAsync(ct))!;
        nextCleanup = now + options.Value.CleanupInterval;
        if (removed > 0)
        {
            logger.LogInformation("Monitoring clean-up removed {Removed} events past retention", removed);
        }
    }
}
