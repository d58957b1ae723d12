using Microsoft.AspNetCore.Components;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.OperatorConsole.Components;

/// <summary>Who may open a console page; checked against the caller of the tenant session, as the API does.</summary>
public enum PageAudience
{
    /// <summary>WedSync operators (platform_admin), like the monitoring endpoints.</summary>
    PlatformAdmin,

    /// <summary>Any person of an organization (a vendor member too), like the referral endpoints: sections the API keeps for admins check their own rule.</summary>
    OrganizationMember,
}

/// <summary>
/// Base of every signed-in page: opens the <see cref="ConsoleSession"/> before anything renders and answers 403 with no data for a person the
/// page is not for. The gate runs without streaming so the status code is still the page's to set;
/// data sections stream in below it.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter]
    protected HttpContext HttpContext { get; set; } = null!;

    [Inject]
    protected ConsoleSession Console { get; set; } = null!;

    [Inject]
    protected MonitoringDatabase Monitoring { get; set; } = null!;

    protected abstract PageAudience Audience { get; }

    protected Caller? Caller { get; private set; }

    /// <summary>True once the caller may see this page; the page renders nothing of its data otherwise.</summary>
    protected bool Allowed { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        // Operators' pages are monitoring: their reads are bounded and tagged like the monitoring endpoints'.
        var bounds = Audience == PageAudience.PlatformAdmin && HttpMethods.IsGet(HttpContext.Request.Method) ? Monitoring.BoundsCommand() : null;
        Caller = await Console.OpenAsync(HttpContext.User, HttpContext.RequestAborted, bounds);
        if (Caller is null)
        {
            // The console's identity middleware sends such requests to the sign-in page first; a
            // POST without a cookie ends here, with nothing rendered.
            HttpContext.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        Allowed = ConsoleNavigation.MayOpen(Caller, Audience);
        if (!Allowed)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        await LoadAsync(HttpContext.RequestAborted);
    }

    /// <summary>Reads what the page shows, in the open session; runs only for an allowed caller.</summary>
    protected virtual Task LoadAsync(CancellationToken ct) => Task.CompletedTask;
}
