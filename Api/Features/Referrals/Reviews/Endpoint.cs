using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Reviews;

/// <summary>The organization's review queue: pending rewards that wait for a person, oldest first, with the fraud reasons.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/referrals/reviews");
        Summary(s =>
        {
            s.Summary = "The organization's reward review queue (org admins)";
            s.Description = "Pending rewards waiting for a person (flagged referral, or an amount at or above the automatic approval limit), oldest first, "
                + "with the referral's fraud score and reasons; approve or reject each with POST /api/referrals/rewards/{id}/approve or /reject.";
            s.Responses[StatusCodes.Status200OK] = "One page of the queue; total counts all matches.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an OWNER or ADMIN of an organization.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!ReferralAccess.MayReview(Caller))
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an organization admin (OWNER or ADMIN) sees the review queue.");
            return;
        }

        var (items, total) = await Data.ReadAsync(Session, req.WaitReason, req.PageSize, req.RowsBefore(), ct);
        await Send.OkAsync(new Response(items, req.Page, req.PageSize, total), ct);
    }
}
