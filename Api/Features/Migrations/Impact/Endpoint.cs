using System.Globalization;
using System.Text.RegularExpressions;
using FastEndpoints;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Api.Platform.Auth;
using WedSync.Api.Platform.Problems;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;

namespace WedSync.Api.Features.Migrations.Impact;

/// <summary>
/// What each migration request changed in the statements' cost: the migration journal says when its
/// scripts were applied, the stored query history (Monitoring:QueryHistoryInterval) what the statements
/// cost before and after. A request's scripts are those of the request manifest, and journal scripts
/// outside the manifest whose file name carries the request's number (ws170, ws_170: operators' extra
/// scripts through Migrations:AdditionalScriptsPath). The journal is platform data, read outside the tenant session.
/// </summary>
public sealed partial class Endpoint(NpgsqlDataSource dataSource) : Endpoint<Request, Response>
{
    /// <summary>A statement at least this much slower after the request is a regression.</summary>
    public const double RegressionFactor = 1.5;

    private static readonly RequestManifest Manifest = RequestManifest.Embedded();

    private const string ImpactSql = """
        WITH before AS (
            SELECT h.queryid, sum(h.calls)::bigint AS calls, sum(h.total_time_ms) AS total
            FROM monitoring_history.query_history h
            WHERE h.captured_at > @first - @window AND h.captured_at <= @first
            GROUP BY h.queryid
        ), after AS (
            SELECT h.queryid, sum(h.calls)::bigint AS calls, sum(h.total_time_ms) AS total
            FROM monitoring_history.query_history h
            JOIN monitoring_history.query_captures c ON c.captured_at = h.captured_at
            WHERE c.interval_start >= @last AND h.captured_at <= @last + @window
            GROUP BY h.queryid
        )
        SELECT coalesce(a.queryid, b.queryid), t.query, b.calls, b.total / nullif(b.calls, 0), a.calls, a.total / nullif(a.calls, 0),
               coalesce(a.total, 0) + coalesce(b.total, 0)
        FROM after a
        FULL JOIN before b ON b.queryid = a.queryid
        LEFT JOIN monitoring_history.query_texts t ON t.queryid = coalesce(a.queryid, b.queryid)
        ORDER BY 7 DESC, 1
        LIMIT 5000
        """;

    public override void Configure()
    {
        Get("/migrations/{requestId}/impact");
        Roles(ClaimNames.PlatformAdmin);
        Summary(s =>
        {
            s.Summary = "What a migration request changed: statements' mean time and calls before and after it (platform admins)";
            s.Description = "From the migration journal (when its scripts were applied) and the stored query history. "
                + $"Regressions are statements stored in both windows that became at least {RegressionFactor.ToString(CultureInfo.InvariantCulture)}× slower.";
            s.Responses[StatusCodes.Status200OK] = "The statements before and after, and the regressions named.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not a platform admin.";
            s.Responses[StatusCodes.Status404NotFound] = "No request with this id in the manifest or the journal.";
            s.Responses[StatusCodes.Status409Conflict] = "The request is known but none of its scripts has been applied.";
        });
        Description(b => b.ProducesProblemFE<ProblemResponse>(StatusCodes.Status404NotFound)
            .ProducesProblemFE<ProblemResponse>(StatusCodes.Status409Conflict));
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var outcome = await ReadAsync(dataSource, req, ct);
        if (outcome.Impact is { } impact)
        {
            await Send.OkAsync(impact, ct);
            return;
        }

        await Send.ProblemAsync(outcome.Status, outcome.Detail!);
    }

    /// <summary>
    /// A request's impact, or why there is none (404 unknown request, 409 nothing of it applied); the
    /// operator console's Migrations page shows the same.
    /// </summary>
    public static async Task<ImpactOutcome> ReadAsync(NpgsqlDataSource dataSource, Request req, CancellationToken ct)
    {
        var requestId = req.RequestId.Trim().ToUpperInvariant();
        var journal = await new JournalStore(dataSource, NullLogger.Instance).ReadAsync(ct);
        var listed = Manifest.Requests.TryGetValue(requestId, out var scripts) ? scripts : [];
        var inManifest = Manifest.Requests.Values.SelectMany(s => s).ToHashSet(StringComparer.Ordinal);
        var extra = NumberOf(requestId) is { } number
            ? journal.Where(e => !inManifest.Contains(e.ScriptName) && CarriesNumber(e.ScriptName, number)).Select(e => e.ScriptName)
            : [];
        var all = listed.Concat(extra).Distinct(StringComparer.Ordinal).ToList();
        if (all.Count == 0)
        {
            return new ImpactOutcome(null, StatusCodes.Status404NotFound, $"No migration request {requestId} in the manifest or the journal.");
        }

        var applied = journal.Where(e => all.Contains(e.ScriptName, StringComparer.Ordinal)).ToList();
        if (applied.Count == 0)
        {
            return new ImpactOutcome(null, StatusCodes.Status409Conflict, $"None of the scripts of {requestId} has been applied yet.");
        }

        var first = applied.Min(e => e.AppliedAt);
        var last = applied.Max(e => e.AppliedAt + TimeSpan.FromMilliseconds(e.DurationMs ?? 0));
        var statements = await ReadStatementsAsync(dataSource, first, last, TimeSpan.FromHours(req.WindowHours), ct);
        var regressions = statements
            .Where(s => s.Change >= RegressionFactor)
            .OrderByDescending(s => s.Change)
            .Take(req.Top)
            .Select(s => new Regression(s, string.Create(CultureInfo.InvariantCulture,
                $"after {requestId}, `{Shorten(s.Query ?? $"query {s.QueryId}")}` {s.Change:0.0}× slower ({s.MeanTimeMsBefore:0.###} ms → {s.MeanTimeMsAfter:0.###} ms per call)")))
            .ToList();
        return new ImpactOutcome(
            new Response(requestId, all, first, last, req.WindowHours, statements.Take(req.Top).ToList(), regressions), StatusCodes.Status200OK, null);
    }

    private static async Task<List<StatementImpact>> ReadStatementsAsync(NpgsqlDataSource dataSource, DateTimeOffset first, DateTimeOffset last, TimeSpan window, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(ImpactSql);
        command.Parameters.AddWithValue("first", first);
        command.Parameters.AddWithValue("last", last);
        command.Parameters.AddWithValue("window", window);
        var items = new List<StatementImpact>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            double? meanBefore = reader.IsDBNull(3) ? null : reader.GetDouble(3);
            double? meanAfter = reader.IsDBNull(5) ? null : reader.GetDouble(5);
            items.Add(new StatementImpact(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                meanBefore,
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                meanAfter,
                meanBefore > 0 && meanAfter is not null ? meanAfter / meanBefore : null));
        }

        return items;
    }

    private static string Shorten(string query)
    {
        var oneLine = WhiteSpace().Replace(query, " ").Trim();
        return oneLine.Length <= 80 ? oneLine : string.Concat(oneLine.AsSpan(0, 77), "…");
    }

    private static int? NumberOf(string requestId) =>
        RequestNumber().Match(requestId) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    private static bool CarriesNumber(string scriptName, int number) =>
        ScriptNumber().Matches(scriptName).Any(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) == number);

    [GeneratedRegex(@"^WS-?0*(\d{1,6})$")]
    private static partial Regex RequestNumber();

    [GeneratedRegex(@"(?i)(?<![a-z])ws[_-]?(\d{1,6})(?!\d)")]
    private static partial Regex ScriptNumber();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
