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

    /// <summary>days, first_wedding_delivered or health_score: what else a reward waits for after holdDays.</summary>
    public string HoldKind { get; init; } = "days";

    /// <summary>0 to 100, required with holdKind health_score and refused otherwise.</summary>
    public int? HealthScoreThreshold { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Periods = ["day", "week", "month"];

    public static readonly string[] HoldKinds = ["days", "first_wedding_delivered", "health_score"];

    public Validator()
    {
        RuleFor(r => r.HoldDays).InclusiveBetween(0, 365);
        RuleFor(r => r.AutoApproveBelowCents!.Value).InclusiveBetween(0, 10_000_000).When(r => r.AutoApproveBelowCents is not null);
        RuleFor(r => r.ClawbackWindowDays).InclusiveBetween(0, 3650);
        RuleFor(r => r.SpendCapCents!.Value).InclusiveBetween(1, 100_000_000_000).When(r => r.SpendCapCents is not null);
        RuleFor(r => r.SpendCapPeriod).Must(p => Periods.Contains(p)).WithMessage($"Must be one of {string.Join(", ", Periods)}.");
        RuleFor(r => r.HoldKind).Must(k => HoldKinds.Contains(k)).WithMessage($"Must be one of {string.Join(", ", HoldKinds)}.");
        RuleFor(r => r.HealthScoreThreshold).NotNull().When(r => r.HoldKind == "health_score").WithMessage("Required with holdKind health_score.");
        RuleFor(r => r.HealthScoreThreshold).Null().When(r => r.HoldKind != "health_score").WithMessage("Only with holdKind health_score.");
        RuleFor(r => r.HealthScoreThreshold!.Value).InclusiveBetween(0, 100).When(r => r.HealthScoreThreshold is not null);
    }
}
