using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>
/// Base of every monitoring endpoint: database monitoring is for WedSync operators only, so a caller
/// without the platform_admin role gets 403 before any monitoring SQL runs. Operators need no org profile.
/// </summary>
public abstract class MonitoringEndpoint<TRequest, TResponse> : TenantEndpoint<TRequest, TResponse>
    where TRequest : notnull
{
    protected sealed override bool RequiresProfile => false;

    protected sealed override async Task HandleInSessionAsync(TRequest req, CancellationToken ct)
    {
        if (!Caller.IsPlatformAdmin)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Database monitoring is for WedSync platform administrators.");
            return;
        }

        await HandleAsAdminAsync(req, ct);
    }

    /// <summary>The use case, run for a platform admin inside the open request session.</summary>
    protected abstract Task HandleAsAdminAsync(TRequest req, CancellationToken ct);
}
