using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Referrals.Shared;

namespace WedSync.Api.Features.Referrals.Click;

public sealed class Request
{
    public string Code { get; init; } = "";
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Code).Matches(ReferralCode.Pattern).WithMessage("A referral code is 4 to 20 letters or digits.");
    }
}
