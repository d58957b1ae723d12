using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.RewardRules;

/// <summary>The caller's organization's reward rules and what its spend cap has used this period.</summary>
public sealed class Endpoint : TenantEndpoint<EmptyRequest, Shared.RewardRules>
{
    public override void Configure()
    {
        Get("/referrals/reward-rules");
        Summary(s =>
        {
            s.Summary = "The organization's reward rules (hold, approval, clawback window, spend cap)";
            s.Responses[StatusCodes.Status200OK] = "The rules; the defaults (no hold, every amount approved automatically, flagged referrals reviewed, 30-day clawback, no cap) when none are set.";
        });
    }

    protected override async Task HandleInSessionAsync(EmptyRequest req, CancellationToken ct) =>
        await Send.OkAsync(await RewardRulesData.ReadAsync(Session, ct), ct);
}
