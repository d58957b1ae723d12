using System.Text.Json;
using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Events.RecordEvent;

/// <summary>
/// Records an event through record_db_monitoring_event, which validates it, stores the caller and
/// their address and agent, and notifies the SSE stream when the request commits.
/// </summary>
public sealed class Endpoint(ILogger<Endpoint> logger) : MonitoringEndpoint<Request, MonitoringEvent>
{
    // The address and agent travel like the claims, as transaction-local settings the function reads.
    private const string RecordSql = """
        SELECT set_config('request.client_ip', @ip, true), set_config('request.user_agent', @agent, true);
        SELECT record_db_monitoring_event(@type, @severity, @data::jsonb);
        """;

    private const string ReadSql = $"SELECT {MonitoringEvent.Columns} FROM monitoring_events e WHERE e.id = @id";

    public override void Configure()
    {
        Post("/monitoring/events");
        Summary(s =>
        {
            s.Summary = "Record a monitoring event (platform admins)";
            s.Responses[StatusCodes.Status201Created] = "The event as stored.";
            s.Responses[StatusCodes.Status400BadRequest] = "Unknown event type or severity, or data that is not a JSON object.";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        Guid id;
        await using (var command = Session.CreateCommand(RecordSql))
        {
            command.Parameters.AddWithValue("ip", HttpContext.Connection.RemoteIpAddress?.ToString() ?? "");
            command.Parameters.AddWithValue("agent", HttpContext.Request.Headers.UserAgent.ToString());
            command.Parameters.AddWithValue("type", req.EventType);
            command.Parameters.AddWithValue("severity", req.Severity);
            command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Text)
            {
                Value = req.EventData is { ValueKind: JsonValueKind.Object } data ? data.GetRawText() : "{}",
            });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            id = reader.GetGuid(0);
        }

        MonitoringEvent recorded;
        await using (var command = Session.CreateCommand(ReadSql))
        {
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            recorded = MonitoringEvent.Read(reader);
        }

        if (recorded.Severity == MonitoringEventKinds.Critical)
        {
            logger.LogError("Critical monitoring event {EventId} recorded: {EventType}", recorded.Id, recorded.EventType);
        }

        await Send.ResponseAsync(recorded, StatusCodes.Status201Created, ct);
    }
}
