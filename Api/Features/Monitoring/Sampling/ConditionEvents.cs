using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// Keeps monitoring_events in step with the sampled conditions: an event is recorded when a condition
/// appears (ON CONFLICT on the open-condition index, so two reads or two instances never double it),
/// raised in place while the condition worsens (severity, raised_at, severity_history; the raise trigger
/// enqueues an alert to every subscription the new severity matches), and resolved when it is gone. Severity never
/// drops while the condition lasts: the event says how bad it got. Runs as the API's login in one transaction.
/// </summary>
public sealed class ConditionEvents(NpgsqlDataSource dataSource, ILogger<ConditionEvents> logger)
{
    // New events notify like record_db_monitoring_event does, so the SSE stream shows sampler events too;
    // raises are announced by their trigger (channel monitoring_events_raised).
    private const string UpsertSql = """
        WITH cur AS (
            SELECT * FROM unnest(@keys::text[], @types::text[], @severities::text[], @data::text[]) AS c(key, type, severity, data)
        ), raised AS (
            UPDATE monitoring_events e
               SET severity = c.severity,
                   event_data = c.data::jsonb,
                   raised_at = now(),
                   severity_history = coalesce(e.severity_history,
                           jsonb_build_array(jsonb_build_object('severity', e.severity, 'at', e.created_at, 'eventData', e.event_data)))
                       || jsonb_build_array(jsonb_build_object('severity', c.severity, 'at', now(), 'eventData', c.data::jsonb))
              FROM cur c
             WHERE e.condition_key = c.key AND e.resolved_at IS NULL
               AND array_position(@levels::text[], c.severity) > array_position(@levels::text[], e.severity)
            RETURNING e.id, e.event_type, e.severity, e.condition_key
        ), ins AS (
            INSERT INTO monitoring_events (event_type, severity, event_data, condition_key)
            SELECT c.type, c.severity, c.data::jsonb, c.key FROM cur c
            WHERE NOT EXISTS (SELECT 1 FROM monitoring_events e WHERE e.condition_key = c.key AND e.resolved_at IS NULL)
            ON CONFLICT (condition_key) WHERE resolved_at IS NULL DO NOTHING
            RETURNING id, event_type, severity, condition_key
        )
        SELECT raised.id, raised.event_type, raised.severity, raised.condition_key, true FROM raised
        UNION ALL
        SELECT ins.id, ins.event_type, ins.severity, ins.condition_key, false
        FROM ins
        CROSS JOIN LATERAL (SELECT pg_notify('monitoring_events',
            json_build_object('id', ins.id, 'type', ins.event_type, 'severity', ins.severity)::text)) AS notified
        """;

    // Only within the caller's scopes: a partial view (the fast detector's, the tick's) must not close
    // the other's conditions.
    private const string ResolveSql = """
        UPDATE monitoring_events SET resolved_at = now(), resolution_notes = 'condition cleared'
        WHERE resolved_at IS NULL AND condition_key IS NOT NULL AND condition_key <> ALL (@keys::text[])
          AND EXISTS (SELECT 1 FROM unnest(@scopes::text[]) AS s(prefix) WHERE starts_with(condition_key, s.prefix))
        RETURNING id, condition_key
        """;

    private static readonly string[] Levels = [.. MonitoringEventKinds.Severities];

    /// <summary>
    /// Records or raises every condition given, and resolves the open events under <paramref name="scopes"/>
    /// (condition-key prefixes) whose condition is not among them.
    /// </summary>
    public async Task ReconcileAsync(IReadOnlyList<SampledCondition> conditions, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (conditions.Count > 0)
        {
            await UpsertAsync(conditions, connection, transaction, ct);
        }

        await using (var resolve = new NpgsqlCommand(ResolveSql, connection, transaction))
        {
            resolve.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.Key).ToArray() });
            resolve.Parameters.Add(new NpgsqlParameter("scopes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = scopes.ToArray() });
            await using var reader = await resolve.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                logger.LogInformation("Monitoring event {EventId} resolved: condition {ConditionKey} cleared", reader.GetGuid(0), reader.GetString(1));
            }
        }

        await transaction.CommitAsync(ct);
    }

    private async Task UpsertAsync(IReadOnlyList<SampledCondition> conditions, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var upsert = new NpgsqlCommand(UpsertSql, connection, transaction);
        upsert.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.Key).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.EventType).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter("severities", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.Severity).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = conditions.Select(c => c.DataJson).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter("levels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = Levels });
        await using var reader = await upsert.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (id, type, severity, key, raised) = (reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4));
            var verb = raised ? "raised to" : "opened at";
            if (severity == MonitoringEventKinds.Critical)
            {
                logger.LogError("Critical monitoring event {EventId}: {EventType} {Change} {Severity} ({ConditionKey})", id, type, verb, severity, key);
            }
            else
            {
                logger.LogWarning("Monitoring event {EventId}: {EventType} {Change} {Severity} ({ConditionKey})", id, type, verb, severity, key);
            }
        }
    }
}
