using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Referrals.Leaderboard;

public sealed class Request
{
    /// <summary>week, month or all (default).</summary>
    public string Period { get; init; } = "all";
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Periods = ["week", "month", "all"];

    public Validator()
    {
        RuleFor(r => r.Period).Must(p => Periods.Contains(p)).WithMessage($"Must be one of {string.Join(", ", Periods)}.");
    }
}

public sealed record Entry(int Rank, Guid UserId, string DisplayName, long Conversions, long Referrals);

public sealed record Response(string Period, IReadOnlyList<Entry> Entries);
