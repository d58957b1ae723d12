using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Monitoring.History.QueryHistory;

/// <summary>
/// One statement over time, from the stored query history: a point per capture in which it was among
/// the stored statements (Monitoring:QueryHistoryTopStatements per interval). Read as the API's own
/// login after the platform-admin check, like every monitoring read of platform data.
/// </summary>
public sealed class Endpoint(MonitoringDatabase monitoring, TimeProvider time) : MonitoringEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/monitoring/query-stats/{queryId}/history");
        Summary(s =>
        {
            s.Summary = "A statement's history: its calls and times per capture interval (platform admins)";
            s.Description = "Points from the stored query history (every Monitoring:QueryHistoryInterval, kept Monitoring:QueryHistoryRetention), "
                + "oldest first, in (from, to]; by default the last day. Counts are deltas per interval and survive pg_stat_statements_reset(). " + TimeWindow.Documentation;
            s.Responses[StatusCodes.Status200OK] = "The series (empty when the statement was stored but not in this window).";
            s.Responses[StatusCodes.Status404NotFound] = "No history was ever stored for this query id.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound));
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct)
    {
        var to = req.To ?? time.GetUtcNow();
        var from = req.From ?? to.AddDays(-1);
        var (known, query, points) = await QueryHistorySeries.ReadAsync(monitoring, req.QueryId, from, to, ct);
        if (!known && points.Count == 0)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, $"No query history was stored for query id {req.QueryId}.");
            return;
        }

        await Send.OkAsync(new Response(req.QueryId, query, from, to, points), ct);
    }
}
