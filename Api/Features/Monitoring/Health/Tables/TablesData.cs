using System.Globalization;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Health.Tables;

/// <summary>Per-table health, sorted and paged, read in an open session: GET /monitoring/tables and the console's Tables page.</summary>
public static class TablesData
{
    /// <summary>What a partial answer names as unavailable.</summary>
    public const string UnavailableSection = "tables";

    // The sort column is chosen from a fixed list below, never taken from the request text.
    private const string SqlTemplate = """
        SELECT schema_name, table_name, live_tuples, dead_tuples, dead_pct, modified_since_analyze, last_vacuum,
               last_autovacuum, last_analyze, last_autoanalyze, seq_scan, seq_tup_read, idx_scan, index_usage_pct,
               total_size_bytes, total_size, needs_vacuum, count(*) OVER () AS total_rows
        FROM monitoring_table_health
        ORDER BY {0} DESC, schema_name, table_name
        LIMIT @limit OFFSET @offset
        """;

    public static async Task<Response> ReadAsync(TenantSession session, Request req, CancellationToken ct)
    {
        var column = req.Sort switch
        {
            "size" => "total_size_bytes",
            "seqScans" => "seq_scan",
            _ => "dead_tuples",
        };
        var items = new List<TableHealth>();
        long total = 0;
        try
        {
            await using var command = session.CreateCommand(string.Format(CultureInfo.InvariantCulture, SqlTemplate, column));
            command.Parameters.AddWithValue("limit", req.PageSize);
            command.Parameters.AddWithValue("offset", req.RowsBefore());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                items.Add(Read(reader));
                total = reader.Get<long>("total_rows");
            }
        }
        catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception))
        {
            return new Response([], req.Page, req.PageSize, 0, true, [UnavailableSection]);
        }

        return new Response(items, req.Page, req.PageSize, total, false, []);
    }

    private static TableHealth Read(NpgsqlDataReader reader) => new(
        reader.Get<string>("schema_name"),
        reader.Get<string>("table_name"),
        reader.Get<long>("live_tuples"),
        reader.Get<long>("dead_tuples"),
        reader.GetNullable<decimal>("dead_pct"),
        reader.Get<long>("modified_since_analyze"),
        reader.GetNullable<DateTimeOffset>("last_vacuum"),
        reader.GetNullable<DateTimeOffset>("last_autovacuum"),
        reader.GetNullable<DateTimeOffset>("last_analyze"),
        reader.GetNullable<DateTimeOffset>("last_autoanalyze"),
        reader.Get<long>("seq_scan"),
        reader.Get<long>("seq_tup_read"),
        reader.Get<long>("idx_scan"),
        reader.GetNullable<decimal>("index_usage_pct"),
        reader.Get<long>("total_size_bytes"),
        reader.Get<string>("total_size"),
        reader.Get<bool>("needs_vacuum"));
}
