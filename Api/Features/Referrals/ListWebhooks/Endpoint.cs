using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.ListWebhooks;

/// <summary>The organization's referral webhook receivers, oldest first, without their secrets.</summary>
public sealed class Endpoint : TenantEndpoint<EmptyRequest, Response>
{
    public override void Configure()
    {
        Get("/referral-webhooks");
        Summary(s =>
        {
            s.Summary = "The organization's referral webhook subscriptions (org admins)";
            s.Responses[StatusCodes.Status200OK] = "Every subscription, with its pause state and failure count.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an OWNER or ADMIN.";
        });
    }

    protected override async Task HandleInSessionAsync(EmptyRequest req, CancellationToken ct)
    {
        if (!Caller.IsOrgAdmin)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an organization admin (OWNER or ADMIN) manages referral webhooks.");
            return;
        }

        await Send.OkAsync(new Response(await ReferralWebhooks.ListAsync(Session, ct)), ct);
    }
}
