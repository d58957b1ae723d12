using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.ApproveReward;

/// <summary>Approve a pending reward (org admins, or WedSync's services)</summary>
public sealed class Endpoint : TenantEndpoint<Request, RewardTransitionResponse>
{
    public override void Configure()
    {
        Post("/referrals/rewards/{id}/approve");
        Summary(s =>
        {
            s.Summary = "Approve a pending reward (org admins, or WedSync's services)";
            s.Description = "pending -> approved, one ledger entry (actor, time, reason) whatever the concurrency; the organization's spend cap is taken in the same transaction. The approved reward is sent to billing as a reward.approved webhook until billing acknowledges it (POST .../fulfilled).";
            RewardTransitions.Describe(s, "false");
        });
    }

    protected override bool RequiresProfile => false;

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct) =>
        await Send.ResultAsync(await RewardTransitions.ApplyAsync(Session, req.Id, "approved", req.Reason, ct));
}
