using System.Globalization;
using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Health.Tables;

/// <summary>Per-table health (dead tuples, vacuum and analyze times, scans, size), sorted and paged.</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    // The sort column is chosen from a fixed list below, never taken from the request text.
    private const string SqlTemplate = """
        SELECT schema_name, table_name, live_tuples, dead_tuples, dead_pct, modified_since_analyze, last_vacuum,
               last_autovacuum, last_analyze, last_autoanalyze, seq_scan, seq_tup_read, idx_scan, index_usage_pct,
               total_size_bytes, total_size, needs_vacuum, count(*) OVER ()
        FROM monitoring_table_health
        ORDER BY {0} DESC, schema_name, table_name
        LIMIT @limit OFFSET @offset
        """;

    /// <summary>What a partial answer names as unavailable.</summary>
    public const string UnavailableSection = "tables";

    public override void Configure()
    {
        Get("/monitoring/tables");
        Summary(s =>
        {
            s.Summary = "Table health: dead tuples, vacuum/analyze, scans, size (platform admins)";
            s.Description = "sort=deadTuples|size|seqScans (descending); paged with page and pageSize (at most 100). "
                + "Sizes are estimated from pg_class.relpages (table, TOAST and indexes, as of the last VACUUM, ANALYZE or CREATE INDEX) so that a locked table "
                + "never holds the answer back. When the rows cannot be read now (Monitoring:ReadLockTimeout or ReadStatementTimeout hit) "
                + "the answer is 200 with no items, partial true and unavailable [\"tables\"].";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct) =>
        await Send.OkAsync(await ReadAsync(Session, req, ct), ct);

    /// <summary>One page of table health, read in an open session; the operator console shows the same rows.</summary>
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
                total = reader.GetInt64(17);
            }
        }
        catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception))
        {
            return new Response([], req.Page, req.PageSize, 0, true, [UnavailableSection]);
        }

        return new Response(items, req.Page, req.PageSize, total, false, []);
    }

    private static TableHealth Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetInt64(3),
        reader.IsDBNull(4) ? null : reader.GetDecimal(4),
        reader.GetInt64(5),
        Time(reader, 6),
        Time(reader, 7),
        Time(reader, 8),
        Time(reader, 9),
        reader.GetInt64(10),
        reader.GetInt64(11),
        reader.GetInt64(12),
        reader.IsDBNull(13) ? null : reader.GetDecimal(13),
        reader.GetInt64(14),
        reader.GetString(15),
        reader.GetBoolean(16));

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
