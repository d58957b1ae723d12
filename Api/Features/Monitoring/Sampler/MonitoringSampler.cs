using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.History;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampler;

/// <summary>
/// The background sampler: every <see cref="MonitoringOptions.SampleInterval"/>, the instance holding
/// the sampler lease reads a sample, publishes the gauges, records and resolves condition events, and
/// runs the retention clean-up every <see cref="MonitoringOptions.CleanupInterval"/>. A failing tick
/// (database down, restarting) is logged and the next interval tries again: monitoring never stops the API.
/// <para>
/// Slow statements are not left to the next tick: a statement crosses
/// <see cref="MonitoringOptions.SlowQueryEventThreshold"/> at its start plus the threshold, so the sampler
/// wakes at that moment and records its slow_query event then (a cheap read of pg_stat_activity, no
/// summary). It also reads at least once per threshold, so every statement that will become slow is
/// seen before it does. The event (and the live pages behind the SSE stream) so follows the crossing by
/// the time of one small query, not by up to a sampling interval.
/// </para>
/// </summary>
public sealed class MonitoringSampler(
    NpgsqlDataSource dataSource,
    MonitoringSampleReader reader,
    ConditionEvents events,
    SchemaDriftWatch schemaDrift,
    MonitoringGauges gauges,
    GaugeHistory gaugeHistory,
    MonitoringAssessments assessments,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<MonitoringSampler> logger) : BackgroundService
{
    // Woken a little after the computed crossing, so the statement's duration is past the threshold when read.
    private static readonly TimeSpan CrossingMargin = TimeSpan.FromMilliseconds(10);

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
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var nextTick = time.GetUtcNow() + options.Value.SampleInterval;
                var untilNextSlow = await TickAsync(samplerLease, stoppingToken);
                await WatchSlowStatementsAsync(nextTick, untilNextSlow, stoppingToken);
            }
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

    /// <summary>One tick; returns the time until the next slow-query crossing, or null (none, or this instance does not sample).</summary>
    private async Task<TimeSpan?> TickAsync(SamplerLease samplerLease, CancellationToken ct)
    {
        try
        {
            if (!await samplerLease.TryHoldAsync(ct))
            {
                // Another instance samples; this one charts nothing rather than a stale copy.
                gauges.Clear();
                return null;
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
                await gaugeHistory.RecordWhenDueAsync(sample.Snapshot, ct);
                await CleanUpWhenDueAsync(ct);
                succeeded = true;
                logger.LogDebug("Monitoring sample taken by {Holder}", samplerLease.Holder);
                return sample.UntilNextSlow;
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
            return null;
        }
    }

    /// <summary>
    /// Waits for the next tick, waking between at each slow-query crossing and at least once per
    /// threshold (a statement started after one read crosses no sooner than a threshold later) to record
    /// slow_query events as they happen. Only the lease holder watches (<paramref name="untilNextSlow"/> is null otherwise).
    /// </summary>
    private async Task WatchSlowStatementsAsync(DateTimeOffset nextTick, TimeSpan? untilNextSlow, CancellationToken ct)
    {
        var watching = untilNextSlow is not null || gauges.IsPublishing;
        var readEvery = options.Value.SlowQueryEventThreshold;
        var lastRead = time.GetUtcNow();
        DateTimeOffset? crossing = untilNextSlow is { } until ? lastRead + until + CrossingMargin : null;
        while (true)
        {
            var now = time.GetUtcNow();
            var wake = watching ? Earliest(nextTick, lastRead + readEvery, crossing ?? nextTick) : nextTick;
            if (wake > now)
            {
                await Task.Delay(wake - now, time, ct);
            }

            if (wake >= nextTick)
            {
                return;
            }

            lastRead = time.GetUtcNow();
            crossing = null;
            try
            {
                var watch = await reader.ReadSlowAsync(ct);
                await events.OpenAsync(SampledCondition.Slow(watch.SlowStatements).ToList(), ct);
                crossing = watch.UntilNextSlow is { } next ? lastRead + next + CrossingMargin : null;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Reading slow statements between samples failed; the next sample reads them again");
                watching = false;
            }
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b, DateTimeOffset c) =>
        a < b ? (a < c ? a : c) : (b < c ? b : c);

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
