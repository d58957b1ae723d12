using FastEndpoints;
using FluentValidation;

namespace WedSync.Api.Features.Referrals.Rewards;

public sealed class Request
{
    /// <summary>pending, granted or revoked; all when absent.</summary>
    public string? Status { get; init; }

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 20;
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Statuses = ["pending", "granted", "revoked"];

    public Validator()
    {
        RuleFor(r => r.Status).Must(s => Statuses.Contains(s)).When(r => r.Status is not null)
            .WithMessage($"Must be one of {string.Join(", ", Statuses)}.");
        RuleFor(r => r.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(r => r.PageSize).InclusiveBetween(1, 100);
    }
}

public sealed record Reward(Guid Id, Guid ReferralId, string Side, string Trigger, string Tier, int AmountCents, string Currency,
    string Status, DateTimeOffset CreatedAt, DateTimeOffset? GrantedAt);

public sealed record Response(IReadOnlyList<Reward> Items, int Page, int PageSize, long Total);
