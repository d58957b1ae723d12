using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Referrals.List;

public sealed class Request
{
    /// <summary>pending, signed_up, converted, expired or rejected; all when absent.</summary>
    public string? Status { get; init; }

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 20;
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Statuses = ["pending", "signed_up", "converted", "expired", "rejected"];

    public Validator()
    {
        RuleFor(r => r.Status).Must(s => Statuses.Contains(s)).When(r => r.Status is not null)
            .WithMessage($"Must be one of {string.Join(", ", Statuses)}.");
        RuleFor(r => r.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(r => r.PageSize).InclusiveBetween(1, 100);
    }
}

public sealed record Referral(
    Guid Id,
    string Code,
    string ReferredEmail,
    string Status,
    string RewardType,
    string ReferrerType,
    decimal FraudScore,
    IReadOnlyList<string> FraudReasons,
    bool FlaggedForReview,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

public sealed record Response(IReadOnlyList<Referral> Items, int Page, int PageSize, long Total);
