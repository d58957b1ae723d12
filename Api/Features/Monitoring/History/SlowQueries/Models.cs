using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.History.SlowQueries;

public sealed class Request
{
    /// <summary>Only statements running at least this long (the view itself starts at 100 ms).</summary>
    public int MinDurationMs { get; init; } = 100;
}

public sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(r => r.MinDurationMs).InclusiveBetween(0, 86_400_000);
}

public sealed record SlowQuery(
    int Pid,
    string? UserName,
    string? DatabaseName,
    string? ApplicationName,
    string? ClientAddress,
    string? State,
    string? WaitEventType,
    string? WaitEvent,
    DateTimeOffset? QueryStart,
    decimal DurationMs,
    string? Query,
    bool QueryRedacted);

public sealed record Response(IReadOnlyList<SlowQuery> Items, int MinDurationMs);
