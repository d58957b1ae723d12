using Npgsql;
using NpgsqlTypes;

namespace WedSync.Api.Features.Monitoring.WaitEvents;

/// <summary>
/// Database time of one group in a window. Only the fields of the grouping are set: organizationId and
/// organizationName (null id: time of no vendor organization), waitEventType and waitEvent, queryId and
/// its stored redacted query text, or role (the login). Percent is of all database time in the window.
/// </summary>
public sealed record WaitEventGroup(
    Guid? OrganizationId,
    string? OrganizationName,
    string? WaitEventType,
    string? WaitEvent,
    long? QueryId,
    string? Query,
    string? Role,
    double Seconds,
    double Percent,
    long Samples);

/// <summary>Database time per wait event type at one point of a series.</summary>
public sealed record WaitTypePoint(DateTimeOffset At, string WaitEventType, double Seconds);

/// <summary>The reads of monitoring_history.wait_samples, shared by the endpoint and the console. Run as the API's login after the platform-admin check.</summary>
public static class WaitEventsData
{
    public static readonly string[] Groupings = ["organization", "wait_event", "query", "role"];

    private const string TotalSql = """
        SELECT coalesce(sum(db_seconds), 0) FROM monitoring_history.wait_samples WHERE bucket_start >= @from AND bucket_start < @to
        """;

    // One constant statement per grouping: the grouping picks among them, never enters the text.
    private const string Window = """
        WITH w AS (
            SELECT * FROM monitoring_history.wait_samples
            WHERE bucket_start >= @from AND bucket_start < @to AND (@organization IS NULL OR organization_id = @organization)
        )
        """;

    private const string ByOrganizationSql = Window + """
        SELECT w.organization_id, o.name, NULL::text, NULL::text, NULL::bigint, NULL::text, NULL::text, sum(w.db_seconds) AS seconds, sum(w.samples)
        FROM w LEFT JOIN public.organizations o ON o.id = w.organization_id
        GROUP BY w.organization_id, o.name ORDER BY seconds DESC LIMIT @limit
        """;

    private const string ByWaitEventSql = Window + """
        SELECT NULL::uuid, NULL::text, w.wait_event_type, w.wait_event, NULL::bigint, NULL::text, NULL::text, sum(w.db_seconds) AS seconds, sum(w.samples)
        FROM w GROUP BY w.wait_event_type, w.wait_event ORDER BY seconds DESC LIMIT @limit
        """;

    private const string ByQuerySql = Window + """
        SELECT NULL::uuid, NULL::text, NULL::text, NULL::text, w.queryid, t.query, NULL::text, sum(w.db_seconds) AS seconds, sum(w.samples)
        FROM w LEFT JOIN monitoring_history.query_texts t ON t.queryid = w.queryid
        GROUP BY w.queryid, t.query ORDER BY seconds DESC LIMIT @limit
        """;

    private const string ByRoleSql = Window + """
        SELECT NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text, w.role_name, sum(w.db_seconds) AS seconds, sum(w.samples)
        FROM w GROUP BY w.role_name ORDER BY seconds DESC LIMIT @limit
        """;

    private const string SeriesSql = """
        SELECT date_bin(@step, bucket_start, @from) AS at, wait_event_type, sum(db_seconds)
        FROM monitoring_history.wait_samples
        WHERE bucket_start >= @from AND bucket_start < @to
        GROUP BY 1, 2 ORDER BY 1, 2
        """;

    /// <summary>All database time in [from, to), and the largest groups of it (optionally of one organization only).</summary>
    public static async Task<(double TotalSeconds, IReadOnlyList<WaitEventGroup> Groups)> ReadAsync(
        NpgsqlDataSource dataSource, DateTimeOffset from, DateTimeOffset to, string groupBy, Guid? organizationId, int limit, CancellationToken ct)
    {
        var sql = groupBy switch
        {
            "wait_event" => ByWaitEventSql,
            "query" => ByQuerySql,
            "role" => ByRoleSql,
            _ => ByOrganizationSql,
        };
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(TotalSql, from, to));
        var groups = Command(sql, from, to);
        groups.Parameters.Add(new NpgsqlParameter("organization", NpgsqlDbType.Uuid) { Value = (object?)organizationId ?? DBNull.Value });
        groups.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit });
        batch.BatchCommands.Add(groups);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetDouble(0);
        await reader.NextResultAsync(ct);
        var rows = new List<WaitEventGroup>();
        while (await reader.ReadAsync(ct))
        {
            var seconds = reader.GetDouble(7);
            rows.Add(new WaitEventGroup(
                reader.IsDBNull(0) ? null : reader.GetGuid(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                Math.Round(seconds, 3),
                total > 0 ? Math.Round(100 * seconds / total, 2) : 0,
                reader.GetInt64(8)));
        }

        return (Math.Round(total, 3), rows);
    }

    /// <summary>Database time per wait event type in steps of <paramref name="step"/> from <paramref name="from"/>, for the console's chart.</summary>
    public static async Task<IReadOnlyList<WaitTypePoint>> SeriesAsync(
        NpgsqlDataSource dataSource, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(SeriesSql);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("step", step);
        var points = new List<WaitTypePoint>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            points.Add(new WaitTypePoint(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetDouble(2)));
        }

        return points;
    }

    private static NpgsqlBatchCommand Command(string sql, DateTimeOffset from, DateTimeOffset to) =>
        new(sql) { Parameters = { new NpgsqlParameter("from", from), new NpgsqlParameter("to", to) } };
}
