using System.Text.Json.Serialization;
using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Migrations.Impact;

public sealed class Request
{
    /// <summary>The migration request, e.g. WS-170, from the route.</summary>
    public string RequestId { get; init; } = "";

    /// <summary>Length of the window before the first script and after the last one, in hours.</summary>
    public int WindowHours { get; init; } = 24;

    /// <summary>How many statements (by total time over both windows) and regressions to list.</summary>
    public int Top { get; init; } = 10;
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.RequestId).NotEmpty().MaximumLength(50);
        RuleFor(r => r.WindowHours).InclusiveBetween(1, 24 * 400);
        RuleFor(r => r.Top).InclusiveBetween(1, 100);
    }
}

/// <summary>
/// A statement before and after the request: calls and mean time (ms) summed over the stored interval
/// deltas of each window; null for a window in which it was not stored. change = meanAfter / meanBefore
/// (null unless both are known).
/// </summary>
public sealed record StatementImpact(
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] long QueryId,
    string? Query,
    long? CallsBefore,
    double? MeanTimeMsBefore,
    long? CallsAfter,
    double? MeanTimeMsAfter,
    double? Change);

/// <summary>A statement that got slower: the numbers and a sentence naming it ("after WS-170, `SELECT …` 3.1× slower").</summary>
public sealed record Regression(StatementImpact Statement, string Summary);

/// <summary>
/// What a migration request changed. The before window is (firstAppliedAt - windowHours, firstAppliedAt],
/// the after window the captures whose whole interval lies after lastAppliedAt (the end of its last
/// script), up to windowHours later; a capture spanning the migration counts for neither.
/// Regressions: statements in both windows at least 1.5× slower, slowest first.
/// </summary>
public sealed record Response(
    string RequestId,
    IReadOnlyList<string> Scripts,
    DateTimeOffset FirstAppliedAt,
    DateTimeOffset LastAppliedAt,
    int WindowHours,
    IReadOnlyList<StatementImpact> Statements,
    IReadOnlyList<Regression> Regressions);

/// <summary>What <see cref="Endpoint.ReadAsync"/> found: the impact (status 200), or the status (404, 409) and why not.</summary>
public sealed record ImpactOutcome(Response? Impact, int Status, string? Detail);
