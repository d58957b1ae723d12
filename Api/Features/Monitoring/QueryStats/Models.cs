using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.QueryStats;

public sealed class Request
{
    public int Top { get; init; } = 20;

    /// <summary>totalTime (default), meanTime or calls; always descending.</summary>
    public string OrderBy { get; init; } = "totalTime";
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Orders = ["totalTime", "meanTime", "calls"];

    public Validator()
    {
        RuleFor(r => r.Top).InclusiveBetween(1, 100);
        RuleFor(r => r.OrderBy).Must(o => Orders.Contains(o)).WithMessage($"Must be one of {string.Join(", ", Orders)}.");
    }
}

public sealed record QueryStat(
    long? QueryId,
    string? Query,
    long Calls,
    double TotalTimeMs,
    double MeanTimeMs,
    double MaxTimeMs,
    long Rows,
    long SharedBlocksHit,
    long SharedBlocksRead);

public sealed record Response(IReadOnlyList<QueryStat> Items, string OrderBy, DateTimeOffset? StatsResetAt);
