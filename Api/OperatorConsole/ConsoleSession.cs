using System.Security.Claims;
using Npgsql;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// What a console page may see: the page's queries run in the same <see cref="TenantSession"/> as an
/// API request (request role, the signed-in person's claims, row-level security), so the console
/// shows nothing the API would not show the same person. Scoped per request, like the session.
/// </summary>
public sealed class ConsoleSession(TenantSession session)
{
    public TenantSession Tenant => session;

    public Caller Caller => session.Caller;

    /// <summary>Opens the session for the signed-in person; null when nobody is signed in.</summary>
    /// <param name="bounds">transaction-local limits for the page's statements (<see cref="TenantSession.BeginAsync"/>).</param>
    public async Task<Caller?> OpenAsync(ClaimsPrincipal user, CancellationToken ct, NpgsqlBatchCommand? bounds = null)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        return session.IsOpen ? session.Caller : await session.BeginAsync(user, ct, bounds: bounds);
    }

    /// <summary>Commits what the page changed (a resolved event); reading pages commit nothing of note.</summary>
    public Task CommitAsync(CancellationToken ct) => session.CommitAsync(ct);
}
