using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.OperatorConsole.Components;

/// <summary>Which console pages a person may open: the rule the pages enforce, the navigation shows and the landing page follows.</summary>
public static class ConsoleNavigation
{
    public static bool MayOpen(Caller caller, PageAudience audience) => audience switch
    {
        PageAudience.PlatformAdmin => caller.IsPlatformAdmin,
        PageAudience.OrganizationMember => caller.HasProfile,
        _ => false,
    };

    /// <summary>Where a person who may not open the Overview lands instead; null when the console has no page for them.</summary>
    public static string? LandingFor(Caller caller) =>
        MayOpen(caller, PageAudience.OrganizationMember) ? $"{ConsoleSetup.BasePath}/referrals" : null;
}
