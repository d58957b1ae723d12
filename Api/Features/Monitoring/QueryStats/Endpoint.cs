using System.Globalization;
using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Features.Monitoring.QueryStats;

/// <summary>
/// The statements of this database that cost most, from pg_stat_statements, with the same redaction
/// as the slow-query view. Servers without the extension (or without it preloaded) get a 501 problem.
/// </summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    // The extension's schema (public, extensions, ...) as an identifier; no row when it is not installed.
    private const string InstalledSql = """
        SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_stat_statements'
        """;

    // The order column is chosen from a fixed list below, never taken from the request text; the
    // schema is the extension's, quoted by the database.
    private const string StatsSql = """
        SELECT s.queryid, monitoring_redact_query(s.query, 500), s.calls, s.total_exec_time, s.mean_exec_time, s.max_exec_time,
               s.rows, s.shared_blks_hit, s.shared_blks_read
        FROM {1}.pg_stat_statements s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY s.{0} DESC
        LIMIT @top;
        SELECT stats_reset FROM {1}.pg_stat_statements_info;
        """;

    public override void Configure()
    {
        Get("/monitoring/query-stats");
        Summary(s =>
        {
            s.Summary = "Top statements from pg_stat_statements (platform admins)";
            s.Description = "orderBy=totalTime|meanTime|calls, top at most 100; statsResetAt says since when the statistics count.";
            s.Responses[StatusCodes.Status501NotImplemented] = "pg_stat_statements is not installed or not preloaded on this server.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status501NotImplemented));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        string schema;
        await using (var installed = Session.CreateCommand(InstalledSql))
        {
            if (await installed.ExecuteScalarAsync(ct) is not string found)
            {
                await SendUnavailableAsync();
                return;
            }

            schema = found;
        }

        var column = req.OrderBy switch
        {
            "meanTime" => "mean_exec_time",
            "calls" => "calls",
            _ => "total_exec_time",
        };
        var items = new List<QueryStat>();
        DateTimeOffset? resetAt = null;
        try
        {
            await using var command = Session.CreateCommand(string.Format(CultureInfo.InvariantCulture, StatsSql, column, schema));
            command.Parameters.AddWithValue("top", req.Top);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                items.Add(new QueryStat(
                    reader.IsDBNull(0) ? null : reader.GetInt64(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.GetInt64(2),
                    reader.GetDouble(3),
                    reader.GetDouble(4),
                    reader.GetDouble(5),
                    reader.GetInt64(6),
                    reader.GetInt64(7),
                    reader.GetInt64(8)));
            }

            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct) && !reader.IsDBNull(0))
            {
                resetAt = reader.GetFieldValue<DateTimeOffset>(0);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            // Created but not in shared_preload_libraries: the view exists and refuses to answer.
            await SendUnavailableAsync();
            return;
        }

        await Send.OkAsync(new Response(items, req.OrderBy, resetAt), ct);
    }

    private Task SendUnavailableAsync() => Send.ProblemAsync(StatusCodes.Status501NotImplemented,
        "Query statistics need the pg_stat_statements extension, installed and in shared_preload_libraries, on this server.");
}
