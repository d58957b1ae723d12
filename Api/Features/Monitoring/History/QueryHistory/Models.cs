using System.Text.Json.Serialization;
using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Validation;

namespace WedSync.Api.Features.Monitoring.History.QueryHistory;

public sealed class Request
{
    /// <summary>The pg_stat_statements query id, from the route.</summary>
    public long QueryId { get; init; }

    /// <summary>Start of the series (exclusive); a day before <c>to</c> when absent.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>End of the series (inclusive); now when absent.</summary>
    public DateTimeOffset? To { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator() => this.WindowRules(r => r.From, r => r.To);
}

/// <summary>
/// One interval of a statement: what it did between intervalStart (the previous capture; null for a
/// capture without one) and capturedAt. Times in milliseconds, blocks of 8 kB. Deallocations: eviction
/// rounds of pg_stat_statements in the interval (above 0 this point may count short; null: unknown).
/// Reset: the statement's counters restarted in the interval (a reset or eviction seen by calls, times,
/// rows, blocks, max/min time, stats_since or the extension's reset time); the point counts the new
/// counters whole, a lower bound of what ran (calls between the previous capture and the restart are lost).
/// </summary>
public sealed record QueryHistoryPoint(
    DateTimeOffset CapturedAt,
    DateTimeOffset? IntervalStart,
    long Calls,
    double TotalTimeMs,
    double MeanTimeMs,
    long Rows,
    long SharedBlocksHit,
    long SharedBlocksRead,
    long? Deallocations,
    bool Reset);

/// <summary>A statement's series, oldest first; query is its stored, redacted text.</summary>
public sealed record Response(
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] long QueryId, string? Query, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<QueryHistoryPoint> Points);
