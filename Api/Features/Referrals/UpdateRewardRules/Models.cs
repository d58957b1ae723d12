using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Referrals.UpdateRewardRules;

public sealed class Request
{
    /// <summary>Days a new reward waits before it can be approved, 0 to 365.</summary>
    public int HoldDays { get; init; }

    /// <summary>Rewards of this many cents or more wait for a person; null: every amount is approved automatically.</summary>
    public int? AutoApproveBelowCents { get; init; }

    /// <summary>Rewards of a referral the fraud rules flagged wait for a person.</summary>
    public bool ReviewFlagged { get; init; } = true;

    /// <summary>A refund or cancellation this many days after a reward revokes or claws it back, 0 to 3650.</summary>
    public int ClawbackWindowDays { get; init; } = 30;

    /// <summary>Approved cents per period; null: no cap.</summary>
    public long? SpendCapCents { get; init; }

    /// <summary>day, week or month (UTC).</summary>
    public string SpendCapPeriod { get; init; } = "month";
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Periods = ["day", "week", "month"];

    public Validator()
    {
        RuleFor(r => r.HoldDays).InclusiveBetween(0, 365);
        RuleFor(r => r.AutoApproveBelowCents!.Value).InclusiveBetween(0, 10_000_000).When(r => r.AutoApproveBelowCents is not null);
        RuleFor(r => r.ClawbackWindowDays).InclusiveBetween(0, 3650);
        RuleFor(r => r.SpendCapCents!.Value).InclusiveBetween(1, 100_000_000_000).When(r => r.SpendCapCents is not null);
        RuleFor(r => r.SpendCapPeriod).Must(p => Periods.Contains(p)).WithMessage($"Must be one of {string.Join(", ", Periods)}.");
    }
}
