using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.QueryHistory;

/// <summary>
/// One statement over time, from the stored query history: a point per capture in which it was among
/// the stored statements (Monitoring:QueryHistoryTopStatements per interval). Read as the API's own
/// login after the platform-admin check, like every monitoring read of platform data.
/// </summary>
public sealed class Endpoint(NpgsqlDataSource dataSource, TimeProvider time) : MonitoringEndpoint<Request, Response>
{
    private const string SeriesSql = """
        SELECT h.captured_at, c.interval_start, h.calls, h.total_time_ms,
               coalesce(h.total_time_ms / nullif(h.calls, 0), 0), h.rows, h.shared_blks_hit, h.shared_blks_read, c.deallocations
        FROM monitoring_history.query_history h
        LEFT JOIN monitoring_history.query_captures c ON c.captured_at = h.captured_at
        WHERE h.queryid = @id AND h.captured_at > @from AND h.captured_at <= @to
        ORDER BY h.captured_at;
        SELECT query FROM monitoring_history.query_texts WHERE queryid = @id
        """;

    public override void Configure()
    {
        Get("/monitoring/query-stats/{queryId}/history");
        Summary(s =>
        {
            s.Summary = "A statement's history: its calls and times per capture interval (platform admins)";
            s.Description = "Points from the stored query history (every Monitoring:QueryHistoryInterval, kept Monitoring:QueryHistoryRetention), "
                + "oldest first, in (from, to]; by default the last day. Counts are deltas per interval and survive pg_stat_statements_reset().";
            s.Responses[StatusCodes.Status200OK] = "The series (empty when the statement was stored but not in this window).";
            s.Responses[StatusCodes.Status404NotFound] = "No history was ever stored for this query id.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var to = req.To ?? time.GetUtcNow();
        var from = req.From ?? to.AddDays(-1);
        await using var command = dataSource.CreateCommand(SeriesSql);
        command.Parameters.AddWithValue("id", req.QueryId);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        var points = new List<QueryHistoryPoint>();
        string? query = null;
        var known = false;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                points.Add(new QueryHistoryPoint(
                    reader.GetFieldValue<DateTimeOffset>(0),
                    reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
                    reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4),
                    reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7),
                    reader.IsDBNull(8) ? null : reader.GetInt64(8)));
            }

            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                known = true;
                query = reader.GetString(0);
            }
        }

        if (!known && points.Count == 0)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, $"No query history was stored for query id {req.QueryId}.");
            return;
        }

        await Send.OkAsync(new Response(req.QueryId, query, from, to, points), ct);
    }
}
