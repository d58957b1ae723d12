using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Sampling;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Sampling.WaitEvents;

/// <summary>
/// Active session history: every <see cref="WaitSamplingOptions.WaitSampleInterval"/> one read of
/// pg_stat_activity counts each active backend of this database under its wait event (or CPU), query id,
/// login and vendor organization; every <see cref="WaitSamplingOptions.WaitFlushInterval"/> the closed
/// bucket goes to monitoring_history.wait_samples in one insert. One instance of the fleet samples: the
/// holder of the lease row <c>waits</c>, renewed at each flush.
/// <para>
/// An organization is named only for client backends (and their parallel workers) of the API's own login
/// whose application_name carries the tag <see cref="ApplicationNameTag"/> that the tenant session sets:
/// sessions of other logins, background workers and other databases are never a vendor's time.
/// </para>
/// </summary>
public sealed class WaitSampler(
    NpgsqlDataSource dataSource,
    IOptions<MonitoringOptions> monitoring,
    IOptions<WaitSamplingOptions> options,
    TimeProvider time,
    ILogger<WaitSampler> logger) : BackgroundService
{
    public const string LeaseName = "waits";

    // state 'active' (and fastpath) is database time; idle and idle-in-transaction sessions are not.
    private const string SampleSql = """
        SELECT coalesce(a.wait_event_type, 'CPU') AS wait_event_type,
               coalesce(a.wait_event, 'CPU') AS wait_event,
               a.query_id,
               coalesce(a.usename::text, a.backend_type) AS role_name,
               CASE WHEN a.backend_type IN ('client backend', 'parallel worker') AND a.usename = session_user
                    THEN a.application_name END AS tagged_application_name
        FROM pg_stat_activity a
        WHERE a.datname = current_database()
          AND a.state IN ('active', 'fastpath function call')
          AND a.pid <> pg_backend_pid()
        """;

    private const string InsertSql = """
        WITH expired AS (
            DELETE FROM monitoring_history.wait_samples WHERE bucket_start < now() - @retention
        )
        INSERT INTO monitoring_history.wait_samples
            (bucket_start, bucket_seconds, wait_event_type, wait_event, queryid, role_name, organization_id, samples, db_seconds)
        SELECT s.bucket_start, @bucketSeconds, s.wait_event_type, s.wait_event, s.queryid, s.role_name, s.organization_id, s.samples, s.samples * @sampleSeconds
        FROM unnest(@buckets, @types, @events, @queries, @roles, @organizations, @samples)
            AS s(bucket_start, wait_event_type, wait_event, queryid, role_name, organization_id, samples)
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!monitoring.Value.SamplerEnabled || !settings.WaitSamplingEnabled)
        {
            logger.LogInformation("Wait-event sampling is off on this instance");
            return;
        }

        var buffer = new WaitSampleBuffer(settings.WaitFlushInterval);
        await using var lease = new SamplerLease(dataSource, settings.WaitFlushInterval * 3, LeaseName);
        using var timer = new PeriodicTimer(settings.WaitSampleInterval, time);
        var held = false;
        var leaseBucket = DateTimeOffset.MinValue;
        try
        {
            do
            {
                using var pass = BackgroundTraces.StartPass("monitoring.wait_events");
                var bucket = buffer.BucketOf(time.GetUtcNow());
                if (bucket != leaseBucket)
                {
                    // Once a bucket: write the closed one, then renew (or try to take) the lease for this one.
                    if (held)
                    {
                        await FlushAsync(buffer, bucket, settings, stoppingToken);
                    }

                    held = await TryHoldAsync(lease, stoppingToken);
                    leaseBucket = bucket;
                    if (!held)
                    {
                        buffer.Clear();
                    }
                }

                if (held)
                {
                    await SampleAsync(buffer, bucket, stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; the open bucket is lost, at most one flush interval.
        }
    }

    private async Task<bool> TryHoldAsync(SamplerLease lease, CancellationToken ct)
    {
        try
        {
            return await lease.TryHoldAsync(ct);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Wait sampling: the lease could not be read; trying again next bucket");
            return false;
        }
    }

    private async Task SampleAsync(WaitSampleBuffer buffer, DateTimeOffset bucket, CancellationToken ct)
    {
        try
        {
            await using var command = dataSource.CreateCommand(SampleSql);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var queryId = reader.IsDBNull(2) ? (long?)null : reader.GetInt64(2);
                buffer.Add(new WaitKey(
                    bucket,
                    reader.GetString(0),
                    reader.GetString(1),
                    queryId is 0 ? null : queryId,
                    reader.GetString(3),
                    ApplicationNameTag.Organization(reader.IsDBNull(4) ? null : reader.GetString(4))));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogDebug(exception, "Wait sampling: a sample failed; the next one tries again");
        }
    }

    /// <summary>Writes the buckets closed before <paramref name="bucket"/>; after a failed write they stay for the next try.</summary>
    private async Task FlushAsync(WaitSampleBuffer buffer, DateTimeOffset bucket, WaitSamplingOptions settings, CancellationToken ct)
    {
        var closed = buffer.ClosedBefore(bucket);
        if (closed.Count == 0)
        {
            return;
        }

        try
        {
            await using var command = dataSource.CreateCommand(InsertSql);
            command.Parameters.AddWithValue("retention", settings.WaitHistoryRetention);
            command.Parameters.AddWithValue("bucketSeconds", (int)Math.Ceiling(settings.WaitFlushInterval.TotalSeconds));
            command.Parameters.AddWithValue("sampleSeconds", settings.WaitSampleInterval.TotalSeconds);
            command.Parameters.Add(Array("buckets", NpgsqlDbType.TimestampTz, closed.Select(p => p.Key.BucketStart).ToArray()));
            command.Parameters.Add(Array("types", NpgsqlDbType.Text, closed.Select(p => p.Key.WaitEventType).ToArray()));
            command.Parameters.Add(Array("events", NpgsqlDbType.Text, closed.Select(p => p.Key.WaitEvent).ToArray()));
            command.Parameters.Add(Array("queries", NpgsqlDbType.Bigint, closed.Select(p => p.Key.QueryId).ToArray()));
            command.Parameters.Add(Array("roles", NpgsqlDbType.Text, closed.Select(p => p.Key.Role).ToArray()));
            command.Parameters.Add(Array("organizations", NpgsqlDbType.Uuid, closed.Select(p => p.Key.OrganizationId).ToArray()));
            command.Parameters.Add(Array("samples", NpgsqlDbType.Integer, closed.Select(p => p.Value).ToArray()));
            await command.ExecuteNonQueryAsync(ct);
            buffer.Remove(closed);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Wait sampling: writing {Keys} sampled groups failed; trying again next bucket", closed.Count);
        }
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, T[] values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values };
}
