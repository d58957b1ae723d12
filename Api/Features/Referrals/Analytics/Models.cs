using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Referrals.Analytics;

public sealed class Request
{
    /// <summary>First UTC day; default 30 days ago.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last UTC day, inclusive; default today.</summary>
    public DateOnly? To { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public const int MaxDays = 366;

    public Validator()
    {
        RuleFor(r => r).Must(r => (r.From ?? DateOnly.MinValue) <= (r.To ?? DateOnly.MaxValue))
            .OverridePropertyName("from").WithMessage("from must not be after to.");
        RuleFor(r => r).Must(r => r.From is null || r.To is null || r.To.Value.DayNumber - r.From.Value.DayNumber < MaxDays)
            .OverridePropertyName("to").WithMessage($"At most {MaxDays} days at a time.");
    }
}

public sealed record Day(DateOnly Date, long Invites, long Shares, long Clicks, long Signups, long Conversions);

public sealed record Channel(string ShareType, string? Platform, long Shares);

/// <summary>K = (invites ÷ users) × (conversions ÷ invites) over the period; rates as fractions.</summary>
public sealed record Response(
    DateOnly From,
    DateOnly To,
    long Users,
    long Invites,
    long Conversions,
    decimal ViralCoefficient,
    decimal SharingRate,
    decimal ConversionRate,
    IReadOnlyList<Day> Daily,
    IReadOnlyList<Channel> TopChannels);
