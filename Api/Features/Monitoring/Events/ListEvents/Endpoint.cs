using FastEndpoints;
using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Database;

namespace WedSync.Api.Features.Monitoring.Events.ListEvents;

/// <summary>The monitoring event log, newest first, filtered and paged.</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    private const string Sql = $"""
        SELECT {MonitoringEvent.Columns}, count(*) OVER () AS total
        FROM monitoring_events e
        WHERE (@severity::text IS NULL OR e.severity = @severity)
          AND (@type::text IS NULL OR e.event_type = @type)
          AND (@resolved::boolean IS NULL OR (e.resolved_at IS NOT NULL) = @resolved)
          AND (@from::timestamptz IS NULL OR e.created_at >= @from)
          AND (@to::timestamptz IS NULL OR e.created_at < @to)
        ORDER BY e.created_at DESC, e.id
        LIMIT @limit OFFSET @offset
        """;

    public override void Configure()
    {
        Get("/monitoring/events");
        Summary(s =>
        {
            s.Summary = "Monitoring events, newest first (platform admins)";
            s.Description = "Filters: severity, type, resolved, from (inclusive), to (exclusive); paged with page and pageSize (at most 100).";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var items = new List<MonitoringEvent>();
        long total = 0;
        await using (var command = Session.CreateCommand(Sql))
        {
            command.Parameters.Add(new NpgsqlParameter("severity", NpgsqlDbType.Text) { Value = (object?)req.Severity ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = (object?)req.Type ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("resolved", NpgsqlDbType.Boolean) { Value = (object?)req.Resolved ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)req.From?.ToUniversalTime() ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = (object?)req.To?.ToUniversalTime() ?? DBNull.Value });
            command.Parameters.AddWithValue("limit", req.PageSize);
            command.Parameters.AddWithValue("offset", req.RowsBefore());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                items.Add(MonitoringEvent.Read(reader));
                total = reader.Get<long>("total");
            }
        }

        await Send.OkAsync(new Response(items, req.Page, req.PageSize, total), ct);
    }
}
