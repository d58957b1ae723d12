using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Cohorts;

/// <summary>K factor and conversion by cohort month, for the organization's owners and admins.</summary>
public sealed class Endpoint(TimeProvider time) : TenantEndpoint<Request, Response>
{
    public const string KFactorDefinition =
        "A cohort is the organization's referrers whose first referral was in that UTC calendar month (months are UTC: a referral at "
        + "00:30 on the 1st in Berlin belongs to the month before); each counts every invitation its referrers sent since. "
        + "invitesPerReferrer = invites ÷ referrers; conversionRate = conversions ÷ invites, a conversion being an invitation whose referred person "
        + "subscribed (signups: signed up or subscribed); kFactor = invitesPerReferrer × conversionRate, the new customers each referrer of the cohort "
        + "brought (K > 1: the loop grows by itself). Every month from..to is present; a month with no new referrer has zeros.";

    public override void Configure()
    {
        Get("/referrals/cohorts");
        Summary(s =>
        {
            s.Summary = "K factor and conversion of the organization's referrers by cohort month (org admins)";
            s.Description = KFactorDefinition + " from and to are months as yyyy-MM, at most 36 apart; one alone spans 12 months from it, none the last 12 UTC months.";
            s.Responses[StatusCodes.Status200OK] = "One cohort per UTC month, oldest first.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an owner or admin of the organization.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!ReferralAccess.MayReadOrganizationAnalytics(Caller))
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Referral cohorts are for organization owners and admins.");
            return;
        }

        var (from, to) = Range(req.From, req.To, time.GetUtcNow());
        await Send.OkAsync(await Data.ReadAsync(Session, from, to, ct), ct);
    }

    /// <summary>The months asked for (validated); a missing end is 11 months from the other, both missing the last 12 UTC months up to now's.</summary>
    public static (DateOnly From, DateOnly To) Range(string? from, string? to, DateTimeOffset now) =>
        (Month.TryParse(from, out var first), Month.TryParse(to, out var last)) switch
        {
            (true, true) => (first, last),
            (true, false) => (first, first.AddMonths(11)),
            (false, true) => (last.AddMonths(-11), last),
            _ => (Month.Of(now).AddMonths(-11), Month.Of(now)),
        };
}
