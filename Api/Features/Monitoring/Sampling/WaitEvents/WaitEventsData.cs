using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sampling.WaitEvents;

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

    // Names are read apart (NamesSql): a lock on organizations, the table a bad day most often locks, must
    // not hide whose time it was, only what they are called.
    private const string ByOrganizationSql = Window + """
        SELECT w.organization_id, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text, NULL::text, sum(w.db_seconds) AS seconds, sum(w.samples)
        FROM w GROUP BY w.organization_id ORDER BY seconds DESC LIMIT @limit
        """;

    private const string NamesSql = "SELECT id, name FROM public.organizations WHERE id = ANY(@ids)";

    /// <summary>Named in <see cref="Response.Unavailable"/> when organizations could not be read within the bounds.</summary>
    public const string NamesSection = "organizationNames";

    /// <summary>Named in <see cref="Response.Unavailable"/> when the samples could not be read within the bounds.</summary>
    public const string SamplesSection = "waitSamples";

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

    /// <summary>
    /// All database time in [from, to), and the largest groups of it (optionally of one organization only),
    /// each read within the monitoring bounds; what could not be read is named in <c>Unavailable</c>.
    /// </summary>
    public static async Task<(double TotalSeconds, IReadOnlyList<WaitEventGroup> Groups, IReadOnlyList<string> Unavailable)> ReadAsync(
        MonitoringDatabase monitoring, DateTimeOffset from, DateTimeOffset to, string groupBy, Guid? organizationId, int limit, CancellationToken ct)
    {
        double total;
        IReadOnlyList<WaitEventGroup> groups;
        try
        {
            (total, groups) = await ReadGroupsAsync(monitoring, from, to, groupBy, organizationId, limit, ct);
        }
        catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception))
        {
            return (0, [], [SamplesSection]);
        }

        var ids = groups.Where(g => g.OrganizationId is not null).Select(g => g.OrganizationId!.Value).ToArray();
        if (ids.Length == 0)
        {
            return (total, groups, []);
        }

        try
        {
            var names = await NamesAsync(monitoring, ids, ct);
            return (total, groups.Select(g => g.OrganizationId is { } id ? g with { OrganizationName = names.GetValueOrDefault(id) } : g).ToList(), []);
        }
        catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception))
        {
            return (total, groups, [NamesSection]);
        }
    }

    private static Task<Dictionary<Guid, string>> NamesAsync(MonitoringDatabase monitoring, Guid[] ids, CancellationToken ct)
    {
        var command = new NpgsqlBatchCommand(NamesSql) { Parameters = { new NpgsqlParameter("ids", ids) } };
        return monitoring.ReadAsync([command], async reader =>
        {
            var names = new Dictionary<Guid, string>();
            while (await reader.ReadAsync(ct))
            {
                names[reader.GetGuid(0)] = reader.GetString(1);
            }

            return names;
        }, ct);
    }

    private static async Task<(double TotalSeconds, IReadOnlyList<WaitEventGroup> Groups)> ReadGroupsAsync(
        MonitoringDatabase monitoring, DateTimeOffset from, DateTimeOffset to, string groupBy, Guid? organizationId, int limit, CancellationToken ct)
    {
        var sql = groupBy switch
        {
            "wait_event" => ByWaitEventSql,
            "query" => ByQuerySql,
            "role" => ByRoleSql,
            _ => ByOrganizationSql,
        };
        var groups = Command(sql, from, to);
        groups.Parameters.Add(new NpgsqlParameter("organization", NpgsqlDbType.Uuid) { Value = (object?)organizationId ?? DBNull.Value });
        groups.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit });
        return await monitoring.ReadAsync([Command(TotalSql, from, to), groups], reader => ReadGroupRowsAsync(reader, ct), ct);
    }

    private static async Task<(double TotalSeconds, IReadOnlyList<WaitEventGroup> Groups)> ReadGroupRowsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
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

        return (Math.Round(total, 3), (IReadOnlyList<WaitEventGroup>)rows);
    }

    /// <summary>Database time per wait event type in steps of <paramref name="step"/> from <paramref name="from"/>, for the console's chart.</summary>
    public static Task<IReadOnlyList<WaitTypePoint>> SeriesAsync(
        MonitoringDatabase monitoring, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        var command = Command(SeriesSql, from, to);
        command.Parameters.AddWithValue("step", step);
        return monitoring.ReadAsync([command], async reader =>
        {
            var points = new List<WaitTypePoint>();
            while (await reader.ReadAsync(ct))
            {
                points.Add(new WaitTypePoint(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetDouble(2)));
            }

            return (IReadOnlyList<WaitTypePoint>)points;
        }, ct);
    }

    private static NpgsqlBatchCommand Command(string sql, DateTimeOffset from, DateTimeOffset to) =>
        new(sql) { Parameters = { new NpgsqlParameter("from", from), new NpgsqlParameter("to", to) } };
}
