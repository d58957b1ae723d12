using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampler;

/// <summary>
/// The background sampler: every <see cref="MonitoringOptions.SampleInterval"/>, the instance holding
/// the sampler lease reads a sample, publishes the gauges, records and resolves condition events, and
/// runs the retention clean-up every <see cref="MonitoringOptions.CleanupInterval"/>. A failing tick
/// (database down, restarting) is logged and the next interval tries again: monitoring never stops the API.
/// </summary>
public sealed class MonitoringSampler(
    NpgsqlDataSource dataSource,
    MonitoringSampleReader reader,
    ConditionEvents events,
    SchemaDriftWatch schemaDrift,
    MonitoringGauges gauges,
    MonitoringAssessments assessments,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<MonitoringSampler> logger) : BackgroundService
{
    private DateTimeOffset nextCleanup = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SamplerEnabled)
        {
            logger.LogInformation("Database monitoring sampler is off on this instance (Monitoring:SamplerEnabled=false)");
            return;
        }

        // Three missed ticks free the lease for another instance.
        await using var samplerLease = new SamplerLease(dataSource, options.Value.SampleInterval * 3);
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        try
        {
            do
            {
                await TickAsync(samplerLease, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            gauges.Clear();
        }
    }

    private async Task TickAsync(SamplerLease samplerLease, CancellationToken ct)
    {
        try
        {
            if (!await samplerLease.TryHoldAsync(ct))
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
                await events.ReconcileAsync([.. SampledCondition.From(sample, options.Value), .. await schemaDrift.ConditionsAsync(ct)], ct);
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
