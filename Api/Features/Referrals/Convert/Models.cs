using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Referrals.Shared;

namespace WedSync.Api.Features.Referrals.Convert;

public sealed class Request
{
    /// <summary>The code the new user came with; or give referredEmail.</summary>
    public string? ReferralCode { get; init; }

    public string? ReferredEmail { get; init; }

    /// <summary>The new user's id at the identity provider.</summary>
    public Guid ReferredUserId { get; init; }

    /// <summary>signed_up or subscribed.</summary>
    public string Event { get; init; } = "";

    public DateTimeOffset OccurredAt { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] Events = ["signed_up", "subscribed"];

    public Validator()
    {
        RuleFor(r => r).Must(r => (r.ReferralCode is null) != (r.ReferredEmail is null))
            .OverridePropertyName("referralCode").WithMessage("Give exactly one of referralCode, referredEmail.");
        RuleFor(r => r.ReferralCode!).Matches(ReferralCode.Pattern).When(r => r.ReferralCode is not null)
            .WithMessage("A referral code is 4 to 20 letters or digits.");
        RuleFor(r => r.ReferredEmail!).MaximumLength(320).EmailAddress().When(r => r.ReferredEmail is not null);
        RuleFor(r => r.ReferredUserId).NotEmpty();
        RuleFor(r => r.Event).Must(e => Events.Contains(e)).WithMessage($"Must be one of {string.Join(", ", Events)}.");
        RuleFor(r => r.OccurredAt).NotEmpty()
            .Must(at => at <= DateTimeOffset.UtcNow.AddMinutes(5)).WithMessage("Must not lie in the future.");
    }
}

public sealed record GrantedReward(string Side, string Trigger, string Tier, int AmountCents, string Currency, string Status, Guid? BeneficiaryUserId);

public sealed record Response(Guid ReferralId, string Status, bool AlreadyRecorded, IReadOnlyList<GrantedReward> Rewards);
