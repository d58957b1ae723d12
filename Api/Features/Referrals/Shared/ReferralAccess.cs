using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>
/// Who may do what with referrals: the endpoints and the console's Referrals page ask these same rules, so the
/// page neither refuses what the API allows a role nor shows what it refuses.
/// </summary>
public static class ReferralAccess
{
    /// <summary>Invite, see one's own stats, referrals, rewards and the leaderboard: any person of an organization.</summary>
    public static bool MayRefer(Caller caller) => caller.HasProfile;

    /// <summary>The organization's analytics (daily series, channels, cohorts): owners and admins.</summary>
    public static bool MayReadOrganizationAnalytics(Caller caller) => caller.HasProfile && caller.IsOrgAdmin;

    /// <summary>The review queue and approving or rejecting rewards: owners and admins.</summary>
    public static bool MayReview(Caller caller) => caller.HasProfile && caller.IsOrgAdmin;
}
