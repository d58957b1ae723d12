using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.RejectReward;

/// <summary>Reject a pending or approved reward (org admins, or WedSync's services)</summary>
public sealed class Endpoint : TenantEndpoint<Request, RewardTransitionResponse>
{
    public override void Configure()
    {
        Post("/referrals/rewards/{id}/reject");
        Summary(s =>
        {
            s.Summary = "Reject a pending or approved reward (org admins, or WedSync's services)";
            s.Description = "pending or approved -> revoked, one ledger entry with the reason (required); a revoked approval gives its cents back to the spend cap of its period.";
            RewardTransitions.Describe(s, "true");
        });
    }

    protected override bool RequiresProfile => false;

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct) =>
        await Send.ResultAsync(await RewardTransitions.ApplyAsync(Session, req.Id, "revoked", req.Reason, ct));
}
