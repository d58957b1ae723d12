using System.Text.Json.Serialization;
using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Monitoring.History.QueryStats;

public sealed class Request
{
    public int Top { get; init; } = 20;

    /// <summary>totalTime (default), meanTime or calls; always descending.</summary>
    public string OrderBy { get; init; } = "totalTime";

    /// <summary>
    /// Start of a window (exclusive): with <c>from</c> or <c>to</c> the ranking comes from the stored
    /// query history (interval deltas captured in the window) instead of the counters since the last reset.
    /// Without <c>to</c> the window ends now; without <c>from</c> it starts a day before <c>to</c>.
    /// </summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>End of a window (inclusive); see <see cref="From"/>.</summary>
    public DateTimeOffset? To { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Orders = ["totalTime", "meanTime", "calls"];

    public Validator()
    {
        RuleFor(r => r.Top).InclusiveBetween(1, 100);
        RuleFor(r => r.OrderBy).Must(o => Orders.Contains(o)).WithMessage($"Must be one of {string.Join(", ", Orders)}.");
        this.WindowRules(r => r.From, r => r.To);
    }
}

public sealed record QueryStat(
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] long? QueryId,
    string? Query,
    long Calls,
    double TotalTimeMs,
    double MeanTimeMs,
    double? MaxTimeMs,
    long Rows,
    long SharedBlocksHit,
    long SharedBlocksRead,
    bool? Reset = null);

/// <summary>
/// The ranking. For a window (<c>from</c>/<c>to</c> given) the counts are the sums of the stored interval
/// deltas captured in (from, to], maxTimeMs and statsResetAt are null (a maximum has no delta, and a reset
/// does not matter to history), and from/to say which window was ranked; otherwise from/to are null.
/// Deallocations: how often pg_stat_statements evicted its least-used statements to make room
/// (pg_stat_statements_info.dealloc) since the reset, or during the window's captures. Above 0 some counts are lower bounds: an evicted
/// statement that comes back starts from 0 (raise pg_stat_statements.max). Null: unknown (extension
/// before 1.9, or no capture in the window that knew).
/// An item's reset (window only, else null): its counters restarted in one of the window's intervals, so its
/// counts are a lower bound (see the history endpoint's points for which interval).
/// </summary>
public sealed record Response(
    IReadOnlyList<QueryStat> Items, string OrderBy, DateTimeOffset? StatsResetAt, DateTimeOffset? From, DateTimeOffset? To, long? Deallocations);
