using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api.Support;

/// <summary>
/// A real OpenID Connect provider, as far as a resource server sees one: an HTTP endpoint (HttpListener,
/// free loopback port) serving the discovery document (<c>/.well-known/openid-configuration</c>) and the
/// JSON Web Key Set it names, and RS256 tokens signed with the current key. Keys can be rotated as Entra ID
/// and Supabase rotate theirs: a new key (new <c>kid</c>) is published and the old one withdrawn.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private readonly List<RsaSecurityKey> published = [];
    private int discoveryRequests;
    private int keySetRequests;

    public OidcProvider()
    {
        Issuer = $"http://127.0.0.1:{ApiServer.FreePort()}";
        listener.Prefixes.Add(Issuer + "/");
        listener.Start();
        CurrentKey = NewKey();
        published.Add(CurrentKey);
        loop = Task.Run(ServeAsync);
    }

    /// <summary>The issuer (<c>iss</c>) and the authority the API is configured with.</summary>
    public string Issuer { get; }

    public RsaSecurityKey CurrentKey { get; private set; }

    public int DiscoveryRequests => Volatile.Read(ref discoveryRequests);

    public int KeySetRequests => Volatile.Read(ref keySetRequests);

    /// <summary>Publishes a new signing key and withdraws every earlier one; tokens are signed with the new key.</summary>
    public void Rotate()
    {
        var next = NewKey();
        lock (published)
        {
            published.Clear();
            published.Add(next);
        }

        CurrentKey = next;
    }

    /// <summary>A token for <paramref name="subject"/> signed with <paramref name="key"/> (the current key when null).</summary>
    public string Token(Guid subject, string audience, SecurityKey? key = null, string? issuer = null, string algorithm = SecurityAlgorithms.RsaSha256)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(15),
            Claims = new Dictionary<string, object> { ["sub"] = subject.ToString(), ["roles"] = Array.Empty<string>() },
            SigningCredentials = new SigningCredentials(key ?? CurrentKey, algorithm),
        });
    }

    public static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N")[..12] };

    private Task ServeAsync() => LoopbackHttp.ServeAsync(listener, async context =>
    {
        string? body = context.Request.Url!.AbsolutePath switch
        {
            "/.well-known/openid-configuration" => Discovery(),
            "/jwks" => KeySet(),
            _ => null,
        };
        context.Response.StatusCode = body is null ? 404 : 200;
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body ?? "{}"));
        context.Response.Close();
    });

    private string Discovery()
    {
        Interlocked.Increment(ref discoveryRequests);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + "/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
    }

    private string KeySet()
    {
        Interlocked.Increment(ref keySetRequests);
        lock (published)
        {
            // Public halves only, as a provider publishes them.
            var keys = published.Select(key =>
            {
                var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
                return new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                };
            }).ToList();
            return JsonSerializer.Serialize(new { keys });
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }
}
