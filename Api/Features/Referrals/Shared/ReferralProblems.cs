namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>Problem responses that name the referral rule they enforce (<c>reasons</c>).</summary>
public static class ReferralProblems
{
    public static IResult RuleBroken(int status, string detail, IReadOnlyCollection<string> reasons, decimal? fraudScore = null)
    {
        var extensions = new Dictionary<string, object?> { ["reasons"] = reasons };
        if (fraudScore is not null)
        {
            extensions["fraudScore"] = fraudScore;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, extensions: extensions);
    }
}
