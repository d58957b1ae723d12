using Npgsql;

namespace WedSync.Api.Features.Monitoring.History.QueryStats;

/// <summary>
/// Where pg_stat_statements lives and which shape it has, read from the catalog rather than assumed:
/// the schema from pg_extension (any schema; Supabase installs it in <c>extensions</c>), and the time
/// columns from the view itself, because the installed extension version, not the server, decides
/// them: <c>total_exec_time</c>/<c>mean_exec_time</c>/<c>max_exec_time</c> from 1.8 (PostgreSQL 13+),
/// <c>total_time</c>/<c>mean_time</c>/<c>max_time</c> before (an extension created on PostgreSQL 12 and
/// never updated still has them on 17). <c>pg_stat_statements_info</c> (the reset time) exists from 1.9.
/// </summary>
public sealed record StatementStatsSource(string View, string? InfoView, string Version, string TotalTime, string MeanTime, string MaxTime)
{
    private const string Sql = """
        SELECT format('%I.pg_stat_statements', n.nspname),
               CASE WHEN to_regclass(format('%I.pg_stat_statements_info', n.nspname)) IS NOT NULL
                    THEN format('%I.pg_stat_statements_info', n.nspname) END,
               e.extversion,
               ARRAY(SELECT a.attname::text FROM pg_attribute a
                     WHERE a.attrelid = to_regclass(format('%I.pg_stat_statements', n.nspname)) AND a.attnum > 0 AND NOT a.attisdropped)
        FROM pg_extension e
        JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_stat_statements'
        """;

    /// <summary>The installed extension's view, or null when pg_stat_statements is not installed in this database.</summary>
    public static async Task<StatementStatsSource?> FindAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var columns = reader.GetFieldValue<string[]>(3).ToHashSet(StringComparer.Ordinal);
        string Either(string current, string older) => columns.Contains(current) ? current : older;
        return new StatementStatsSource(
            reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetString(2),
            Either("total_exec_time", "total_time"),
            Either("mean_exec_time", "mean_time"),
            Either("max_exec_time", "max_time"));
    }

    /// <summary>
    /// The top statements of this database and (when the version has it) the reset time, in one batch.
    /// Every name put into the text comes from the catalog (quoted by format('%I')) or from this
    /// record's fixed column names, never from the request.
    /// </summary>
    public string StatsSql(string orderBy)
    {
        var order = orderBy switch
        {
            "meanTime" => MeanTime,
            "calls" => "calls",
            _ => TotalTime,
        };
        var stats = $"""
            SELECT s.queryid, monitoring_redact_query(s.query, 500) AS query, s.calls, s.{TotalTime} AS total_ms,
                   s.{MeanTime} AS mean_ms, s.{MaxTime} AS max_ms, s.rows, s.shared_blks_hit, s.shared_blks_read
            FROM {View} s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY s.{order} DESC
            LIMIT @top;
            """;
        // dealloc (1.9+): eviction rounds since the reset; evicted statements lost their counts.
        return stats + (InfoView is null ? "SELECT NULL::timestamptz AS stats_reset, NULL::bigint AS dealloc" : $"SELECT stats_reset, dealloc FROM {InfoView}");
    }
}
