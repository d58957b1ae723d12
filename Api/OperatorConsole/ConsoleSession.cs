using System.Security.Claims;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// What a console page may see: the page's queries run in the same <see cref="TenantSession"/> as an
/// API request (request role, the signed-in person's claims, row-level security), so the console
/// shows nothing the API would not show the same person. Scoped per request, like the session.
/// </summary>
public sealed class ConsoleSession(TenantSession session, MonitoringDatabase monitoring)
{
    // The layout (navigation by role) and the page both ask; the session opens once.
    private Task<Caller>? _opening;
    private bool bounded;

    public TenantSession Tenant => session;

    public Caller Caller => session.Caller;

    /// <summary>Opens the session for the signed-in person; null when nobody is signed in.</summary>
    /// <param name="bounds">
    /// transaction-local limits for the page's statements (<see cref="TenantSession.BeginAsync"/>); a bounded page is a
    /// monitoring read, so its session opens on the monitoring pool kept for them (it answers when max_connections is used up).
    /// </param>
    public async Task<Caller?> OpenAsync(ClaimsPrincipal user, CancellationToken ct, NpgsqlBatchCommand? bounds = null)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if (_opening is { IsCompleted: false })
        {
            await _opening;
        }

        if (session.IsOpen)
        {
            await BoundAsync(bounds, ct);
            return session.Caller;
        }

        // After a commit (a resolved event) the page opens a fresh session: only an opening in flight is shared.
        _opening = session.BeginAsync(user, ct, bounds: bounds, source: bounds is null ? null : monitoring.SessionSource);
        bounded = bounds is not null;
        return await _opening;
    }

    // Opened unbounded (the layout of a page that is not monitoring) and then asked for bounds: set them now.
    private async Task BoundAsync(NpgsqlBatchCommand? bounds, CancellationToken ct)
    {
        if (bounds is null || bounded)
        {
            return;
        }

        await using var batch = session.CreateBatch();
        batch.BatchCommands.Add(bounds);
        await batch.ExecuteNonQueryAsync(ct);
        bounded = true;
    }

    /// <summary>Commits what the page changed (a resolved event); reading pages commit nothing of note.</summary>
    public Task CommitAsync(CancellationToken ct) => session.CommitAsync(ct);
}
