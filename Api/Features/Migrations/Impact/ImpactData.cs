using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Api.Platform.Database;
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
public sealed partial class ImpactData(NpgsqlDataSource dataSource)
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
        SELECT coalesce(a.queryid, b.queryid) AS queryid, t.query, b.calls AS calls_before, b.total / nullif(b.calls, 0) AS mean_before,
               a.calls AS calls_after, a.total / nullif(a.calls, 0) AS mean_after, coalesce(a.total, 0) + coalesce(b.total, 0) AS total_both
        FROM after a
        FULL JOIN before b ON b.queryid = a.queryid
        LEFT JOIN monitoring_history.query_texts t ON t.queryid = coalesce(a.queryid, b.queryid)
        ORDER BY total_both DESC, queryid
        LIMIT 5000
        """;

    /// <summary>
    /// A request's impact, or why there is none (404 unknown request, 409 nothing of it applied); the
    /// operator console's Migrations page shows the same.
    /// </summary>
    public async Task<ImpactOutcome> ReadAsync(Request req, CancellationToken ct)
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
        var statements = await ReadStatementsAsync(first, last, TimeSpan.FromHours(req.WindowHours), ct);
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

    private async Task<List<StatementImpact>> ReadStatementsAsync(DateTimeOffset first, DateTimeOffset last, TimeSpan window, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(ImpactSql);
        command.Parameters.AddWithValue("first", first);
        command.Parameters.AddWithValue("last", last);
        command.Parameters.AddWithValue("window", window);
        var items = new List<StatementImpact>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var meanBefore = reader.GetNullable<double>("mean_before");
            var meanAfter = reader.GetNullable<double>("mean_after");
            items.Add(new StatementImpact(
                reader.Get<long>("queryid"),
                reader.GetOrNull<string>("query"),
                reader.GetNullable<long>("calls_before"),
                meanBefore,
                reader.GetNullable<long>("calls_after"),
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
