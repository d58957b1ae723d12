using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api.Support;

/// <summary>
/// Mints bearer tokens the way an identity provider would. Issuer and audience are read from the
/// API's own appsettings.json, so the tests follow its configuration instead of copying it.
/// </summary>
public static class TestTokens
{
    private static readonly IConfiguration ApiSettings = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(Path.GetDirectoryName(new Projects.Api().ProjectPath)!, "appsettings.json"))
        .Build();

    public static string Issuer => ApiSettings["Auth:Issuer"]!;

    public static string Audience => ApiSettings["Auth:Audience"]!;

    public static string For(
        Guid subject,
        string[]? roles = null,
        DateTime? expires = null,
        string signingKey = AppHostFixture.JwtSigningKey,
        string? audience = null,
        string? issuer = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(15);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            // A token that expired must also have been issued before it expired.
            IssuedAt = expiry < now ? expiry.AddMinutes(-15) : now,
            NotBefore = expiry < now ? expiry.AddMinutes(-15) : now,
            Expires = expiry,
            Claims = new Dictionary<string, object> { ["sub"] = subject.ToString(), ["roles"] = roles ?? [] },
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
