using System.Net;
using System.Text;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>Done-when 1: only a token this API issued for itself, still valid, gets past authentication.</summary>
[Collection(AppHostCollection.Name)]
public sealed class AuthenticationTests(AppHostFixture fixture)
{
    public static TheoryData<string, string?> RejectedTokens()
    {
        var someone = Guid.NewGuid();
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64Url($$"""{"sub":"{{someone}}","aud":"{{TestTokens.Audience}}","iss":"{{TestTokens.Issuer}}","exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}""");
        return new TheoryData<string, string?>
        {
            { "no token", null },
            { "expired", TestTokens.For(someone, expires: DateTime.UtcNow.AddMinutes(-5)) },
            { "signed with another key", TestTokens.For(someone, signingKey: "another-key-of-enough-length-0123456789abcdefghij") },
            { "wrong audience", TestTokens.For(someone, audience: "some-other-api") },
            { "wrong issuer", TestTokens.For(someone, issuer: "https://issuer.invalid") },
            { "unsigned (alg none)", $"{header}.{payload}." },
            { "not a jwt", "not-a-token" },
        };
    }

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task Bad_or_missing_token_is_401_problem_details(string why, string? token)
    {
        using var response = await fixture.Api.GetAsync("/api/organization", token);

        var problem = await response.AssertProblemAsync(401);
        Assert.Equal("/api/organization", problem.GetProperty("instance").GetString());
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        _ = why;
    }

    [Fact]
    public async Task Valid_token_of_a_member_is_accepted()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "MEMBER");

        using var response = await fixture.Api.GetAsync("/api/organization", organization["MEMBER"].Token());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(organization.Slug, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Valid_token_without_a_profile_is_403_on_tenant_endpoints()
    {
        var stranger = TestTokens.For(Guid.NewGuid());

        using var organization = await fixture.Api.GetAsync("/api/organization", stranger);
        using var members = await fixture.Api.GetAsync("/api/members", stranger);

        await organization.AssertProblemAsync(403);
        await members.AssertProblemAsync(403);
    }

    [Fact]
    public async Task Anonymous_endpoint_needs_no_token()
    {
        using var response = await fixture.Api.GetAsync("/api/version", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
