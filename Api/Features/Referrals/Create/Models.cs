using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Referrals.Shared;

namespace WedSync.Api.Features.Referrals.Create;

public sealed class Request
{
    /// <summary>
    /// Who is invited; one person (one mailbox: case, <c>+tag</c> and gmail dots do not make another) is
    /// referred once across the platform.
    /// </summary>
    public string ReferredEmail { get; init; } = "";

    /// <summary>discount, credit (default) or feature.</summary>
    public string? RewardType { get; init; }

    /// <summary>supplier (default) or couple.</summary>
    public string? ReferrerType { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] RewardTypes = ["discount", "credit", "feature"];
    public static readonly string[] ReferrerTypes = ["supplier", "couple"];

    public Validator()
    {
        RuleFor(r => r.ReferredEmail).NotEmpty().MaximumLength(320).EmailAddress()
            .Must(email => ReferredAddress.Normalize(email) is not null)
            .WithMessage("The domain is not a valid domain name.");
        RuleFor(r => r.RewardType).Must(t => RewardTypes.Contains(t)).When(r => r.RewardType is not null)
            .WithMessage($"Must be one of {string.Join(", ", RewardTypes)}.");
        RuleFor(r => r.ReferrerType).Must(t => ReferrerTypes.Contains(t)).When(r => r.ReferrerType is not null)
            .WithMessage($"Must be one of {string.Join(", ", ReferrerTypes)}.");
    }
}

public sealed record RewardDetails(string Type, int Value, string Currency, string Description);

public sealed record FraudReview(bool Flagged, decimal Score, IReadOnlyList<string> Reasons);

public sealed record Response(
    Guid ReferralId,
    string ReferralCode,
    string ShareUrl,
    RewardDetails RewardDetails,
    string Status,
    FraudReview? FraudReview);
