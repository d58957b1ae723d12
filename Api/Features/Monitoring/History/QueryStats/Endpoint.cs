using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Monitoring.History.QueryStats;

/// <summary>
/// The statements of this database that cost most, from pg_stat_statements wherever it is installed and
/// in whichever version (<see cref="StatementStatsSource"/>), with the redaction every monitoring text
/// gets. Read as the API's own login (the caller is a platform admin, checked before): the request
/// role need not be granted the extension's schema. 501 only when the extension is not installed in
/// this database or not preloaded on the server.
/// </summary>
public sealed class Endpoint(MonitoringDatabase monitoring, TimeProvider time) : MonitoringEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/monitoring/query-stats");
        Summary(s =>
        {
            s.Summary = "Top statements from pg_stat_statements (platform admins)";
            s.Description = "orderBy=totalTime|meanTime|calls, top at most 100; statsResetAt says since when the statistics count (null for extension versions before 1.9); "
                + "deallocations how often pg_stat_statements evicted its least-used statements (pg_stat_statements_info.dealloc, since the reset or in the window): above 0 some counts are short, raise pg_stat_statements.max. "
                + "The extension is found in whichever schema it is installed, in any version PostgreSQL 13-17 ship. "
                + "With from and/or to, statements are ranked over that window from the stored query history (Monitoring:QueryHistoryInterval deltas, kept Monitoring:QueryHistoryRetention). " + TimeWindow.Documentation;
            s.Responses[StatusCodes.Status200OK] = "The ranking, since the last reset or over the window asked for.";
            s.Responses[StatusCodes.Status501NotImplemented] = "pg_stat_statements is not installed in this database or not preloaded on this server.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status501NotImplemented));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        if (req.From is not null || req.To is not null)
        {
            var to = req.To ?? time.GetUtcNow();
            var from = req.From ?? to.AddDays(-1);
            var ranked = await WindowRanking.ReadAsync(monitoring, from, to, req.OrderBy, req.Top, ct);
            var deallocationsInWindow = await WindowRanking.DeallocationsAsync(monitoring, from, to, ct);
            await Send.OkAsync(new Response(ranked, req.OrderBy, null, from, to, deallocationsInWindow), ct);
            return;
        }

        // The monitoring pool, bounded like every monitoring read: a full request pool or a slow view must not hold it.
        var (connection, transaction) = await monitoring.BeginAsync(ct);
        await using var _ = connection;
        await using var __ = transaction;
        await using (var bounds = new NpgsqlBatch(connection, transaction) { BatchCommands = { monitoring.BoundsCommand() } })
        {
            await bounds.ExecuteNonQueryAsync(ct);
        }

        var source = await StatementStatsSource.FindAsync(connection, ct);
        if (source is null)
        {
            await SendUnavailableAsync();
            return;
        }

        var items = new List<QueryStat>();
        DateTimeOffset? resetAt = null;
        long? deallocations = null;
        try
        {
            await using var command = new NpgsqlCommand(source.StatsSql(req.OrderBy), connection, transaction);
            command.Parameters.AddWithValue("top", req.Top);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                items.Add(new QueryStat(
                    reader.GetNullable<long>("queryid"),
                    reader.GetOrNull<string>("query"),
                    reader.Get<long>("calls"),
                    reader.Get<double>("total_ms"),
                    reader.Get<double>("mean_ms"),
                    reader.Get<double>("max_ms"),
                    reader.Get<long>("rows"),
                    reader.Get<long>("shared_blks_hit"),
                    reader.Get<long>("shared_blks_read")));
            }

            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                resetAt = reader.GetNullable<DateTimeOffset>("stats_reset");
                deallocations = reader.GetNullable<long>("dealloc");
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            // Created but not in shared_preload_libraries: the view exists and refuses to answer.
            await SendUnavailableAsync();
            return;
        }

        await Send.OkAsync(new Response(items, req.OrderBy, resetAt, null, null, deallocations), ct);
    }

    private Task SendUnavailableAsync() => Send.ProblemAsync(StatusCodes.Status501NotImplemented,
        "Query statistics need the pg_stat_statements extension, installed in this database and in shared_preload_libraries, on this server.");
}
