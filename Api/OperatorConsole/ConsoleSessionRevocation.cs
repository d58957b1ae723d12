using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// Server-side sign-out for the console's cookie: every sign-in gets a session id, sign-out records it
/// in app.console_revoked_sessions until the cookie would have expired, and a cookie whose session was
/// revoked (or that has no session id) is rejected on its next request, on every API instance.
/// </summary>
public static class ConsoleSessionRevocation
{
    public const string SessionIdClaim = "console_sid";

    private const string IsRevokedSql = "SELECT EXISTS (SELECT 1 FROM app.console_revoked_sessions WHERE session_id = @id)";

    // The expired rows go with each sign-out: the table holds at most the sessions of the last 8 h.
    private const string RevokeSql = """
        DELETE FROM app.console_revoked_sessions WHERE expires_at < now();
        INSERT INTO app.console_revoked_sessions (session_id, expires_at) VALUES (@id, @expires) ON CONFLICT (session_id) DO NOTHING
        """;

    public static void Configure(CookieAuthenticationEvents events)
    {
        events.OnSigningIn = context =>
        {
            if (context.Principal?.Identity is ClaimsIdentity identity && identity.FindFirst(SessionIdClaim) is null)
            {
                identity.AddClaim(new Claim(SessionIdClaim, Guid.NewGuid().ToString()));
            }

            return Task.CompletedTask;
        };
        events.OnValidatePrincipal = async context =>
        {
            if (SessionId(context.Principal) is not { } id || await IsRevokedAsync(context.HttpContext, id))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(ConsoleSetup.CookieScheme);
            }
        };
    }

    /// <summary>Ends the signed-in session on the server, then removes the cookie.</summary>
    public static async Task SignOutAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(ConsoleSetup.CookieScheme);
        if (result.Succeeded && SessionId(result.Principal) is { } id)
        {
            var expires = result.Properties?.ExpiresUtc ?? DateTimeOffset.UtcNow.AddHours(8);
            await using var command = context.RequestServices.GetRequiredService<NpgsqlDataSource>().CreateCommand(RevokeSql);
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("expires", expires);
            await command.ExecuteNonQueryAsync(context.RequestAborted);
        }

        await context.SignOutAsync(ConsoleSetup.CookieScheme);
    }

    private static Guid? SessionId(ClaimsPrincipal? principal) =>
        Guid.TryParse(principal?.FindFirst(SessionIdClaim)?.Value, out var id) ? id : null;

    // On the monitoring pool and within its bounds: the check must not sign an operator out in the middle
    // of an incident (a full request pool, a locked table), so a check that cannot run now lets the cookie pass.
    private static async Task<bool> IsRevokedAsync(HttpContext context, Guid id)
    {
        var monitoring = context.RequestServices.GetRequiredService<MonitoringDatabase>();
        try
        {
            var command = new NpgsqlBatchCommand(IsRevokedSql) { Parameters = { new NpgsqlParameter("id", id) } };
            return await monitoring.ReadAsync([command], async reader => await reader.ReadAsync(context.RequestAborted) && reader.GetBoolean(0), context.RequestAborted);
        }
        catch (Exception exception) when (MonitoringDatabase.IsUnavailable(exception) || exception is NpgsqlException { IsTransient: true })
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleSessionRevocation))
                .LogWarning(exception, "Console session {SessionId}: revocation not checked (the database could not answer in time)", id);
            return false;
        }
    }
}
