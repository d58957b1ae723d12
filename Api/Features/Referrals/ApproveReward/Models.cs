using FastEndpoints;
using FluentValidation;
using WedSync.Api.Features.Referrals.Shared;

namespace WedSync.Api.Features.Referrals.ApproveReward;

public sealed class Request : RewardTransitionRequest;

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Id).NotEmpty();

        RuleFor(r => r.Reason!).MaximumLength(1000).When(r => r.Reason is not null);
    }
}
