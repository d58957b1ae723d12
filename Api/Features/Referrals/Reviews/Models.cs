using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Paging;

namespace WedSync.Api.Features.Referrals.Reviews;

public sealed class Request() : PagedRequest(defaultPageSize: 20)
{
    /// <summary>review_flagged, review_amount, holding, spend_cap_reached, waiting_first_wedding or waiting_health_score; both review reasons when absent.</summary>
    public string? WaitReason { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] WaitReasons = ["review_flagged", "review_amount", "holding", "spend_cap_reached", "waiting_first_wedding", "waiting_health_score"];

    public Validator()
    {
        Include(new PagingValidator<Request>());
        RuleFor(r => r.WaitReason).Must(s => WaitReasons.Contains(s)).When(r => r.WaitReason is not null)
            .WithMessage($"Must be one of {string.Join(", ", WaitReasons)}.");
    }
}

/// <summary>A pending reward waiting for a person, with the fraud signals of its referral.</summary>
public sealed record ReviewItem(Guid RewardId, Guid ReferralId, string ReferredEmail, Guid? ReferrerUserId, string Side, string Trigger,
    string RewardType, int AmountCents, string Currency, Guid? BeneficiaryUserId, string WaitReason, DateTimeOffset? HoldUntil,
    DateTimeOffset CreatedAt, decimal FraudScore, IReadOnlyList<string> FraudReasons, bool FlaggedForReview);

public sealed record Response(IReadOnlyList<ReviewItem> Items, int Page, int PageSize, long Total);
