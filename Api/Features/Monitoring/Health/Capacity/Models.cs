using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Monitoring.Health.Capacity;

public sealed class Request
{
    /// <summary>How many tables and indexes to list, largest growth first.</summary>
    public int Top { get; init; } = 50;
}

public sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(r => r.Top).InclusiveBetween(1, 1000);
}

/// <summary>
/// A table or index: its size on the latest stored UTC day and its growth in bytes per day (least
/// squares over the stored days of the last 30; null with fewer than two days).
/// </summary>
public sealed record ObjectGrowth(string Object, string Kind, DateOnly Day, long Bytes, double? GrowthBytesPerDay, int Days);

/// <summary>
/// A counter that runs out: kind sequence (value against the narrower of its maximum and the columns it
/// feeds), xid (transaction-id age against the wraparound stop) or database_size (bytes against
/// Monitoring:DatabaseSizeLimitBytes). perDay is the least-squares rate over the samples of the last 7 days;
/// daysLeft is null when it does not grow or has no limit.
/// </summary>
public sealed record CapacityForecast(
    string Kind, string Object, decimal Value, decimal? MaxValue, double? PerDay, double? DaysLeft, int Samples, DateTimeOffset LastSampledAt);

public sealed record Response(IReadOnlyList<ObjectGrowth> Objects, IReadOnlyList<CapacityForecast> Forecasts);
