using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.History.QueryHistory;

/// <summary>
/// One statement's stored series (GET /api/monitoring/query-stats/{queryId}/history and the console's
/// Queries page): read as the API's own login, after the caller's platform-admin check.
/// </summary>
public static class QueryHistorySeries
{
    private const string SeriesSql = """
        SELECT h.captured_at, c.interval_start, h.calls, h.total_time_ms,
               coalesce(h.total_time_ms / nullif(h.calls, 0), 0), h.rows, h.shared_blks_hit, h.shared_blks_read, c.deallocations, h.reset
        FROM monitoring_history.query_history h
        LEFT JOIN monitoring_history.query_captures c ON c.captured_at = h.captured_at
        WHERE h.queryid = @id AND h.captured_at > @from AND h.captured_at <= @to
        ORDER BY h.captured_at
        """;

    private const string TextSql = "SELECT query FROM monitoring_history.query_texts WHERE queryid = @id";

    /// <summary>Points in (from, to], oldest first; known is false when nothing was ever stored for the id.</summary>
    public static async Task<(bool Known, string? Query, IReadOnlyList<QueryHistoryPoint> Points)> ReadAsync(
        MonitoringDatabase monitoring, long queryId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var series = new NpgsqlBatchCommand(SeriesSql);
        series.Parameters.AddWithValue("id", queryId);
        series.Parameters.AddWithValue("from", from);
        series.Parameters.AddWithValue("to", to);
        var text = new NpgsqlBatchCommand(TextSql);
        text.Parameters.AddWithValue("id", queryId);
        return await monitoring.ReadAsync([series, text], async reader =>
        {
            var points = new List<QueryHistoryPoint>();
            string? query = null;
            var known = false;
            while (await reader.ReadAsync(ct))
            {
                points.Add(new QueryHistoryPoint(
                    reader.GetFieldValue<DateTimeOffset>(0),
                    reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
                    reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4),
                    reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7),
                    reader.IsDBNull(8) ? null : reader.GetInt64(8),
                    reader.GetBoolean(9)));
            }

            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                known = true;
                query = reader.GetString(0);
            }

            return (known || points.Count > 0, query, (IReadOnlyList<QueryHistoryPoint>)points);
        }, ct);
    }
}
