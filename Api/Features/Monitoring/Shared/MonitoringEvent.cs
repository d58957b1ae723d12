using System.Text.Json;
using Npgsql;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>
/// One row of monitoring_events as the API shows it. Event data is free JSON (clients record statement
/// text they saw), so it is shown through monitoring_redact_json, the redaction every monitoring text gets.
/// </summary>
public sealed record MonitoringEvent(
    Guid Id,
    string EventType,
    string Severity,
    JsonElement EventData,
    DateTimeOffset CreatedAt,
    Guid? UserId,
    string? SourceIp,
    string? UserAgent,
    DateTimeOffset? ResolvedAt,
    string? ResolutionNotes,
    string? ConditionKey)
{
    public const string Columns =
        "e.id, e.event_type, e.severity, monitoring_redact_json(e.event_data)::text, e.created_at, e.user_id, host(e.source_ip), e.user_agent, e.resolved_at, e.resolution_notes, e.condition_key";

    public static MonitoringEvent Read(NpgsqlDataReader reader, int offset = 0)
    {
        using var data = JsonDocument.Parse(reader.GetString(offset + 3));
        return new MonitoringEvent(
            reader.GetGuid(offset),
            reader.GetString(offset + 1),
            reader.GetString(offset + 2),
            data.RootElement.Clone(),
            reader.GetFieldValue<DateTimeOffset>(offset + 4),
            reader.IsDBNull(offset + 5) ? null : reader.GetGuid(offset + 5),
            reader.IsDBNull(offset + 6) ? null : reader.GetString(offset + 6),
            reader.IsDBNull(offset + 7) ? null : reader.GetString(offset + 7),
            reader.IsDBNull(offset + 8) ? null : reader.GetFieldValue<DateTimeOffset>(offset + 8),
            reader.IsDBNull(offset + 9) ? null : reader.GetString(offset + 9),
            reader.IsDBNull(offset + 10) ? null : reader.GetString(offset + 10));
    }
}
