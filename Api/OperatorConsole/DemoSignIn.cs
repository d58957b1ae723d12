using System.Security.Claims;
using WedSync.Api.Platform.Auth;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// Development sign-in: the demo users of <see cref="DemoUsers"/>, with the platform roles an
/// operator's token would carry (ops@wedsync.test runs the platform; the others are vendors).
/// </summary>
public static class DemoSignIn
{
    public const string OperatorEmail = "ops@wedsync.test";

    public static IReadOnlyList<string> RolesOf(string email) =>
        string.Equals(email, OperatorEmail, StringComparison.OrdinalIgnoreCase) ? [ClaimNames.PlatformAdmin] : [];

    /// <summary>The principal the console cookie keeps: the claims an API token has (sub, email, roles).</summary>
    public static ClaimsPrincipal PrincipalFor(string email, Guid userId)
    {
        var claims = new List<Claim> { new(ClaimNames.Subject, userId.ToString()), new(ClaimNames.Email, email) };
        claims.AddRange(RolesOf(email).Select(role => new Claim(ClaimNames.Roles, role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ConsoleSetup.CookieScheme, ClaimNames.Subject, ClaimNames.Roles));
    }
}
