using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Paging;

namespace WedSync.Api.Features.Referrals.Rewards;

public sealed class Request() : PagedRequest(defaultPageSize: 20)
{
    /// <summary>pending, granted or revoked; all when absent.</summary>
    public string? Status { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Statuses = ["pending", "granted", "revoked"];

    public Validator()
    {
        Include(new PagingValidator<Request>());
        RuleFor(r => r.Status).Must(s => Statuses.Contains(s)).When(r => r.Status is not null)
            .WithMessage($"Must be one of {string.Join(", ", Statuses)}.");
    }
}

public sealed record Reward(Guid Id, Guid ReferralId, string Side, string Trigger, string Tier, int AmountCents, string Currency,
    string Status, DateTimeOffset CreatedAt, DateTimeOffset? GrantedAt);

public sealed record Response(IReadOnlyList<Reward> Items, int Page, int PageSize, long Total);
