using Npgsql;
using NpgsqlTypes;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// The Events page's reads and its one write, with the same SQL shape as GET /api/monitoring/events and
/// POST /api/monitoring/events/{id}/resolve, run in the page's tenant session (RLS decides).
/// </summary>
public static class ConsoleEvents
{
    /// <summary>At most this many rows per page view; the API pages beyond.</summary>
    public const int Limit = 100;

    private const string ListSql = $"""
        SELECT {MonitoringEvent.Columns}, {ConsoleEvent.ExtraColumns}
        FROM monitoring_events e
        WHERE (@severity::text IS NULL OR e.severity = @severity)
          AND (@type::text IS NULL OR e.event_type = @type)
          AND (@resolved::boolean IS NULL OR (e.resolved_at IS NOT NULL) = @resolved)
        ORDER BY e.created_at DESC, e.id
        LIMIT @limit
        """;

    private const string ResolveSql = """
        UPDATE monitoring_events e SET resolved_at = now(), resolution_notes = @notes
        WHERE e.id = @id AND e.resolved_at IS NULL
        """;

    /// <param name="limit">the newest this many (at most <see cref="Limit"/>): each row's data is redacted, so a page asks for what it shows.</param>
    public static async Task<IReadOnlyList<ConsoleEvent>> ListAsync(
        TenantSession session, string? severity, string? type, bool? resolved, int limit, CancellationToken ct)
    {
        var items = new List<ConsoleEvent>();
        await using var command = session.CreateCommand(ListSql);
        command.Parameters.Add(new NpgsqlParameter("severity", NpgsqlDbType.Text) { Value = (object?)severity ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = (object?)type ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("resolved", NpgsqlDbType.Boolean) { Value = (object?)resolved ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", Math.Clamp(limit, 1, Limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(ConsoleEvent.Read(reader));
        }

        return items;
    }

    /// <summary>True when this call resolved the event; false when it was resolved already or is not visible.</summary>
    public static async Task<bool> ResolveAsync(TenantSession session, Guid id, string? notes, CancellationToken ct)
    {
        await using var command = session.CreateCommand(ResolveSql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter("notes", NpgsqlDbType.Text) { Value = (object?)notes ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>The stored texts of <paramref name="queryIds"/>, read as the query-history endpoint reads them.</summary>
    public static async Task<IReadOnlyDictionary<long, string>> StoredTextsAsync(MonitoringDatabase monitoring, IReadOnlyCollection<long> queryIds, CancellationToken ct)
    {
        if (queryIds.Count == 0)
        {
            return new Dictionary<long, string>();
        }

        var command = new NpgsqlBatchCommand("SELECT queryid, query FROM monitoring_history.query_texts WHERE queryid = ANY(@ids)");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = queryIds.ToArray() });
        return await monitoring.ReadAsync([command], async reader =>
        {
            var texts = new Dictionary<long, string>();
            while (await reader.ReadAsync(ct))
            {
                texts[reader.GetInt64(0)] = reader.GetString(1);
            }

            return (IReadOnlyDictionary<long, string>)texts;
        }, ct);
    }
}
