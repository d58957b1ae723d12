using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.AcknowledgeFulfilment;

/// <summary>Acknowledge that billing delivered an approved reward (WedSync's billing service)</summary>
public sealed class Endpoint : TenantEndpoint<Request, RewardTransitionResponse>
{
    public override void Configure()
    {
        Post("/referrals/rewards/{id}/fulfilled");
        Summary(s =>
        {
            s.Summary = "Acknowledge that billing delivered an approved reward (WedSync's billing service)";
            s.Description = "approved -> fulfilled, idempotent: the same acknowledgement again answers alreadyApplied. Until it comes, the reward.approved webhook is sent again every Referrals:FulfilmentResendAfter.";
            RewardTransitions.Describe(s, "false");
        });
    }

    protected override bool RequiresProfile => false;

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct) =>
        await Send.ResultAsync(await RewardTransitions.ApplyAsync(Session, req.Id, "fulfilled", req.Reason, ct));
}
