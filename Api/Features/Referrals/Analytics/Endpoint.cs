using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Analytics;

/// <summary>The organization's viral loop over a period, for its owners and admins.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/referrals/analytics");
        Summary(s =>
        {
            s.Summary = "The organization's viral coefficient, sharing and conversion rates, daily series and top channels";
            s.Description = "Org owners and admins only. K = (invites ÷ users) × (conversions ÷ invites); days are UTC, to is inclusive.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an owner or admin of the organization.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!ReferralAccess.MayReadOrganizationAnalytics(Caller))
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Referral analytics are for organization owners and admins.");
            return;
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var to = req.To ?? today;
        var from = req.From ?? to.AddDays(-29);
        await Send.OkAsync(await Data.ReadAsync(Session, from, to, ct), ct);
    }
}
