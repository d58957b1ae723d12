using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Monitoring.History;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// Stores monitoring over time: every <see cref="HistoryOptions.QueryHistoryInterval"/> the deltas of
/// pg_stat_statements (monitoring_history.capture_queries, which also survives a stats reset) after
/// keeping the day partitions ahead and dropping those past retention; every
/// <see cref="HistoryOptions.CapacitySampleInterval"/> object sizes and capacity counters. One instance
/// of the fleet does it: the holder of the lease row <c>history</c> (the same lease as the sampler's,
/// so it holds behind PgBouncer too). A failing tick is logged and the next one tries again.
/// </summary>
public sealed class HistorySampler(
    NpgsqlDataSource dataSource,
    IOptions<MonitoringOptions> monitoring,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    ILogger<HistorySampler> logger) : BackgroundService
{
    public const string LeaseName = "history";

    // Partitions exist a few days ahead, so a stopped sampler's successor never writes into a missing one.
    private const int PartitionDaysAhead = 3;

    private DateTimeOffset nextCapacitySample = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!monitoring.Value.SamplerEnabled || !settings.QueryHistoryEnabled)
        {
            logger.LogInformation("Monitoring history is off on this instance");
            return;
        }

        await using var lease = new SamplerLease(dataSource, settings.QueryHistoryInterval * 3, LeaseName);
        using var timer = new PeriodicTimer(settings.QueryHistoryInterval, time);
        try
        {
            do
            {
                await TickAsync(lease, settings, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task TickAsync(SamplerLease lease, HistoryOptions settings, CancellationToken ct)
    {
        using var pass = BackgroundTraces.StartPass("monitoring.history");
        try
        {
            if (!await lease.TryHoldAsync(ct))
            {
                return;
            }

            await using (var maintain = dataSource.CreateCommand("SELECT monitoring_history.maintain_query_partitions(@retention, @ahead)"))
            {
                maintain.Parameters.AddWithValue("retention", settings.QueryHistoryRetention);
                maintain.Parameters.AddWithValue("ahead", PartitionDaysAhead);
                var dropped = (int)(await maintain.ExecuteScalarAsync(ct))!;
                if (dropped > 0)
                {
                    logger.LogInformation("Query history: dropped {Dropped} partitions past retention", dropped);
                }
            }

            await using (var capture = dataSource.CreateCommand("SELECT monitoring_history.capture_queries(@top)"))
            {
                capture.Parameters.AddWithValue("top", settings.QueryHistoryTopStatements);
                await capture.ExecuteScalarAsync(ct);
            }

            var now = time.GetUtcNow();
            if (now >= nextCapacitySample)
            {
                await using var capacity = dataSource.CreateCommand("SELECT monitoring_history.capture_capacity(@limit, @retention)");
                capacity.Parameters.Add(new NpgsqlParameter("limit", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)settings.DatabaseSizeLimitBytes ?? DBNull.Value });
                capacity.Parameters.AddWithValue("retention", settings.CapacityHistoryRetention);
                await capacity.ExecuteScalarAsync(ct);
                nextCapacitySample = now + settings.CapacitySampleInterval;
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Monitoring history capture failed; trying again in {Interval}", settings.QueryHistoryInterval);
        }
    }
}
