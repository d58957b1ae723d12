using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampler;

/// <summary>
/// Keeps monitoring_events in step with the sampled conditions: an event is recorded when a condition
/// appears (ON CONFLICT on the open-condition index, so two ticks or two instances never double it) and
/// resolved when it is gone. Runs as the API's login in one transaction.
/// </summary>
public sealed class ConditionEvents(NpgsqlDataSource dataSource, ILogger<ConditionEvents> logger)
{
    // Notifies like record_db_monitoring_event does, so the SSE stream shows sampler events too.
    private const string OpenSql = """
        WITH cur AS (
            SELECT * FROM unnest(@keys::text[], @types::text[], @severities::text[], @data::text[]) AS c(key, type, severity, data)
        ), ins AS (
            INSERT INTO monitoring_events (event_type, severity, event_data, condition_key)
            SELECT c.type, c.severity, c.data::jsonb, c.key FROM cur c
            WHERE NOT EXISTS (SELECT 1 FROM monitoring_events e WHERE e.condition_key = c.key AND e.resolved_at IS NULL)
            ON CONFLICT (condition_key) WHERE resolved_at IS NULL DO NOTHING
            RETURNING id, event_type, severity, condition_key
        )
        SELECT ins.id, ins.event_type, ins.severity, ins.condition_key
        FROM ins
        CROSS JOIN LATERAL (SELECT pg_notify('monitoring_events',
            json_build_object('id', ins.id, 'type', ins.event_type, 'severity', ins.severity)::text)) AS notified
        """;

    private const string ResolveSql = """
        UPDATE monitoring_events SET resolved_at = now(), resolution_notes = 'condition cleared'
        WHERE resolved_at IS NULL AND condition_key IS NOT NULL AND condition_key <> ALL (@keys::text[])
        RETURNING id, condition_key
        """;

    public async Task ReconcileAsync(IReadOnlyList<SampledCondition> conditions, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var keys = conditions.Select(c => c.Key).ToArray();
        await OpenAsync(conditions, connection, transaction, ct);
        await using (var resolve = new NpgsqlCommand(ResolveSql, connection, transaction))
        {
            resolve.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
            await using var reader = await resolve.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                logger.LogInformation("Monitoring event {EventId} resolved: condition {ConditionKey} cleared", reader.GetGuid(0), reader.GetString(1));
            }
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Records events for conditions that appeared between ticks and resolves nothing: a partial view
    /// (the slow statements only) must not close the other conditions' events. The next tick reconciles.
    /// </summary>
    public async Task OpenAsync(IReadOnlyList<SampledCondition> conditions, CancellationToken ct)
    {
        if (conditions.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await OpenAsync(conditions, connection, null, ct);
    }

    private async Task OpenAsync(IReadOnlyList<SampledCondition> conditions, NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        var keys = conditions.Select(c => c.Key).ToArray();
        await using (var open = new NpgsqlCommand(OpenSql, connection, transaction))
        {
            open.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
            open.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.EventType).ToArray() });
            open.Parameters.Add(new NpgsqlParameter("severities", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.Severity).ToArray() });
            open.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.DataJson).ToArray() });
            await using var reader = await open.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var (id, type, severity, key) = (reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                if (severity == MonitoringEventKinds.Critical)
                {
                    logger.LogError("Critical monitoring event {EventId}: {EventType} ({ConditionKey})", id, type, key);
                }
                else
                {
                    logger.LogWarning("Monitoring event {EventId}: {EventType} {Severity} ({ConditionKey})", id, type, severity, key);
                }
            }
        }
    }
}
