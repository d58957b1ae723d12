namespace WedSync.Api.Platform.Tenancy;

/// <summary>
/// FastEndpoints calls its global response modifier right before any endpoint response is written.
/// That is the last moment a commit can still fail into a problem response (or a retry) instead of
/// behind a 200 already on the wire: success statuses commit the open tenant session, others roll it back.
/// </summary>
public static class TenantSessionCompletion
{
    public static async Task BeforeResponseAsync(HttpContext context, object? _)
    {
        var session = context.RequestServices.GetService<TenantSession>();
        if (session is not { IsOpen: true })
        {
            return;
        }

        if (context.Response.StatusCode < StatusCodes.Status400BadRequest)
        {
            // Not the request's token: once the work is done, a client hanging up must not half-abandon the commit.
            await session.CommitAsync(CancellationToken.None);
        }
        else
        {
            await session.RollbackAsync();
        }
    }
}
