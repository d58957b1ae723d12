using FastEndpoints;
using FluentValidation;
using WedSync.Api.Platform.Paging;

namespace WedSync.Api.Features.Referrals.List;

public sealed class Request() : PagedRequest(defaultPageSize: 20)
{
    /// <summary>pending, signed_up, converted, expired or rejected; all when absent.</summary>
    public string? Status { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Statuses = ["pending", "signed_up", "converted", "expired", "rejected"];

    public Validator()
    {
        Include(new PagingValidator<Request>());
        RuleFor(r => r.Status).Must(s => Statuses.Contains(s)).When(r => r.Status is not null)
            .WithMessage($"Must be one of {string.Join(", ", Statuses)}.");
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
