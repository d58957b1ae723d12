using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Referrals.Shared;

namespace WedSync.Api.Features.Referrals.Share;

public sealed class Request
{
    /// <summary>The referral code, any case, 4 to 20 characters.</summary>
    public string Code { get; init; } = "";

    /// <summary>email, social, link or qr_code.</summary>
    public string ShareType { get; init; } = "";

    /// <summary>Where it was shared, e.g. whatsapp or instagram.</summary>
    public string? Platform { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public static readonly string[] ShareTypes = ["email", "social", "link", "qr_code"];

    public Validator()
    {
        RuleFor(r => r.Code).Matches(ReferralCode.Pattern).WithMessage("A referral code is 4 to 20 letters or digits.");
        RuleFor(r => r.ShareType).Must(t => ShareTypes.Contains(t)).WithMessage($"Must be one of {string.Join(", ", ShareTypes)}.");
        RuleFor(r => r.Platform!).Length(1, 50).Matches("^[A-Za-z0-9 ._-]+$").When(r => r.Platform is not null);
    }
}

public sealed record Response(Guid ShareId, string Code, string ShareType, string? Platform, DateTimeOffset CreatedAt);
