using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.History.QueryStats;

/// <summary>
/// Statements ranked over a window from the stored query history (monitoring_history.query_history):
/// the sums of the interval deltas captured in (from, to], so a stats reset inside the window changes
/// nothing. Text is the stored, already redacted text of the query id.
/// </summary>
public static class WindowRanking
{
    public static async Task<IReadOnlyList<QueryStat>> ReadAsync(
        MonitoringDatabase monitoring, DateTimeOffset from, DateTimeOffset to, string orderBy, int top, CancellationToken ct)
    {
        // The order column is one of three fixed expressions, never request text.
        var order = orderBy switch
        {
            "meanTime" => "5",
            "calls" => "3",
            _ => "4",
        };
        var command = new NpgsqlBatchCommand($"""
            SELECT h.queryid, t.query, sum(h.calls)::bigint, sum(h.total_time_ms),
                   coalesce(sum(h.total_time_ms) / nullif(sum(h.calls), 0), 0),
                   sum(h.rows)::bigint, sum(h.shared_blks_hit)::bigint, sum(h.shared_blks_read)::bigint, bool_or(h.reset)
            FROM monitoring_history.query_history h
            LEFT JOIN monitoring_history.query_texts t ON t.queryid = h.queryid
            WHERE h.captured_at > @from AND h.captured_at <= @to
            GROUP BY h.queryid, t.query
            ORDER BY {order} DESC, 1
            LIMIT @top
            """);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("top", top);
        return await monitoring.ReadAsync([command], async reader =>
        {
            var items = new List<QueryStat>();
            while (await reader.ReadAsync(ct))
            {
                items.Add(new QueryStat(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                    reader.GetDouble(3), reader.GetDouble(4), null, reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetBoolean(8)));
            }

            return (IReadOnlyList<QueryStat>)items;
        }, ct);
    }

    /// <summary>
    /// Eviction rounds of pg_stat_statements during the captures of (from, to]: above 0, statements that
    /// were evicted and came back count short in this window. Null when no capture there knew.
    /// </summary>
    public static async Task<long?> DeallocationsAsync(MonitoringDatabase monitoring, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var command = new NpgsqlBatchCommand("""
            SELECT sum(deallocations)::bigint FROM monitoring_history.query_captures
            WHERE captured_at > @from AND captured_at <= @to
            """);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        return await monitoring.ReadAsync([command], async reader => await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? reader.GetInt64(0) : (long?)null, ct);
    }
}
