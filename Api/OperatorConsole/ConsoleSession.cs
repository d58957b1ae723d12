using System.Security.Claims;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// What a console page may see: the page's queries run in the same <see cref="TenantSession"/> as an
/// API request (request role, the signed-in person's claims, row-level security), so the console
/// shows nothing the API would not show the same person. Scoped per request, like the session.
/// </summary>
public sealed class ConsoleSession(TenantSession session)
{
    // The layout (navigation by role) and the page both ask; the session opens once.
    private Task<Caller>? _opening;

    public TenantSession Tenant => session;

    public Caller Caller => session.Caller;

    /// <summary>Opens the session for the signed-in person; null when nobody is signed in.</summary>
    public async Task<Caller?> OpenAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if (_opening is { IsCompleted: false })
        {
            return await _opening;
        }

        if (session.IsOpen)
        {
            return session.Caller;
        }

        // After a commit (a resolved event) the page opens a fresh session: only an opening in flight is shared.
        _opening = session.BeginAsync(user, ct);
        return await _opening;
    }

    /// <summary>Commits what the page changed (a resolved event); reading pages commit nothing of note.</summary>
    public Task CommitAsync(CancellationToken ct) => session.CommitAsync(ct);
}
