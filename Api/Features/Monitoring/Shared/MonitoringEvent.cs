using System.Text.Json;
using Npgsql;
using WedSync.Api.Platform.Database;

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
        "e.id, e.event_type, e.severity, monitoring_redact_json(e.event_data)::text AS event_data, e.created_at, e.user_id, host(e.source_ip) AS source_ip, e.user_agent, e.resolved_at, e.resolution_notes, e.condition_key";

    public static MonitoringEvent Read(NpgsqlDataReader reader)
    {
        using var data = JsonDocument.Parse(reader.Get<string>("event_data"));
        return new MonitoringEvent(
            reader.Get<Guid>("id"),
            reader.Get<string>("event_type"),
            reader.Get<string>("severity"),
            data.RootElement.Clone(),
            reader.Get<DateTimeOffset>("created_at"),
            reader.GetNullable<Guid>("user_id"),
            reader.GetOrNull<string>("source_ip"),
            reader.GetOrNull<string>("user_agent"),
            reader.GetNullable<DateTimeOffset>("resolved_at"),
            reader.GetOrNull<string>("resolution_notes"),
            reader.GetOrNull<string>("condition_key"));
    }
}
