using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>
/// <c>Auth:Authority</c> (README, Configuration): tokens of an OpenID Connect provider (Entra ID, Supabase)
/// are validated with the keys its discovery document publishes, not with <c>Auth:SigningKey</c>. A real
/// provider over HTTP (<see cref="OidcProvider"/>) and the API as a process of its own, configured as the
/// README says: only <c>Auth:Authority</c> is set.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class OidcAuthorityTests(AppHostFixture fixture)
{
    private static readonly TimeSpan KeyRefreshInterval = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Tokens_are_validated_with_the_providers_published_keys_and_a_rotated_key_is_fetched_without_a_restart()
    {
        await using var provider = new OidcProvider();
        var organization = await TestOrganization.CreateAsync(fixture, "MEMBER");
        var member = organization["MEMBER"].UserId;
        await using var api = await ApiServer.StartAsync(fixture.DatabaseConnectionString, new Dictionary<string, string>
        {
            // An http authority is accepted in Development only; elsewhere the metadata must come over https.
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Auth:Authority"] = provider.Issuer,
            ["Auth:KeyRefreshInterval"] = KeyRefreshInterval.ToString(),
        });

        var signedByProvider = provider.Token(member, TestTokens.Audience);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, signedByProvider));

        // In authority mode the symmetric key signs nothing the API accepts, whoever holds it.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, organization["MEMBER"].Token()));
        // A key the provider never published, another issuer, another audience.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, provider.Token(member, TestTokens.Audience, key: OidcProvider.NewKey())));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, provider.Token(member, TestTokens.Audience, issuer: "https://another-issuer.invalid")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, provider.Token(member, "some-other-api")));
        // Algorithm confusion: HS256 "signed" with the provider's public key as the secret.
        var publicKey = provider.CurrentKey.Rsa.ExportSubjectPublicKeyInfo();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, provider.Token(member, TestTokens.Audience, key: new SymmetricSecurityKey(publicKey), algorithm: SecurityAlgorithms.HmacSha256)));

        // The provider rotates its key: tokens of the new key are accepted at once (the API fetches the key
        // set again when it meets an unknown key id), and the withdrawn key no longer validates anything.
        // The unknown-key token above already made it fetch once: a rotation right after it must not wait for
        // the library's 5 minutes, only for Auth:KeyRefreshInterval (a fetch runs in the background: the
        // request that triggers it may still be refused).
        var fetchesBefore = provider.KeySetRequests;
        provider.Rotate();
        var rotated = provider.Token(member, TestTokens.Audience);
        var deadline = DateTime.UtcNow + KeyRefreshInterval + TimeSpan.FromSeconds(20);
        var status = await StatusAsync(api, rotated);
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            status = await StatusAsync(api, rotated);
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(provider.KeySetRequests > fetchesBefore, "the rotated key was accepted without fetching the key set again");
        // The API fetched the set without the old key: a token of the withdrawn key is refused from now on.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, signedByProvider));
        await Task.Delay(KeyRefreshInterval * 2);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, signedByProvider));
    }

    private static async Task<HttpStatusCode> StatusAsync(ApiServer api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/organization");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await api.Client.SendAsync(request);
        return response.StatusCode;
    }
}
