using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.History.SlowQueries;

/// <summary>Statements of other sessions running now, longest first; credential-looking text is redacted by the view.</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    private const string Sql = """
        SELECT pid, user_name, database_name, application_name, host(client_addr), state, wait_event_type, wait_event,
               query_start, duration_ms, query, query_redacted
        FROM monitoring_slow_queries
        WHERE duration_ms >= @min
        ORDER BY duration_ms DESC
        LIMIT 200
        """;

    public override void Configure()
    {
        Get("/monitoring/slow-queries");
        Summary(s =>
        {
            s.Summary = "Statements running longer than minDurationMs now (platform admins)";
            s.Description = "From monitoring_slow_queries: text touching credentials shows as [REDACTED - SENSITIVE QUERY], other text is truncated to 500 characters. At most 200, longest first.";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var items = new List<SlowQuery>();
        await using (var command = Session.CreateCommand(Sql))
        {
            command.Parameters.AddWithValue("min", (decimal)req.MinDurationMs);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                items.Add(new SlowQuery(
                    reader.GetInt32(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    reader.GetDecimal(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10),
                    !reader.IsDBNull(11) && reader.GetBoolean(11)));
            }
        }

        await Send.OkAsync(new Response(items, req.MinDurationMs), ct);
    }
}
