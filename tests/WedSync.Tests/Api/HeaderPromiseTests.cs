using System.Net;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Api;

/// <summary>
/// Issue 24, kind 6: the caching and redirect headers promise what the next request meets. A share link's
/// answer is never stored (a cache would swallow the clicks behind it), no error answer is stored, and a
/// redirect leads where configuration says, whatever Host the request named.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class HeaderPromiseTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Share_link_answers_are_never_stored_by_any_cache()
    {
        var code = await NewCodeAsync();
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);

        foreach (var (method, path, status) in new[]
        {
            (HttpMethod.Get, $"/r/{code}", HttpStatusCode.Found),
            (HttpMethod.Head, $"/r/{code}", HttpStatusCode.Found),
            (HttpMethod.Get, "/r/ZZZZNOPE9", HttpStatusCode.NotFound),
            (HttpMethod.Head, "/r/ZZZZNOPE9", HttpStatusCode.NotFound),
        })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-Forwarded-For", ReferralScenario.NewClientIp());
            using var response = await clicks.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{method} {path}: Cache-Control: {response.Headers.CacheControl}");
        }
    }

    [Theory]
    [InlineData("GET", "/api/organization", null, 401)]
    [InlineData("GET", "/api/no-such-thing", "member", 404)]
    [InlineData("GET", "/r/abc", null, 400)]
    [InlineData("DELETE", "/api/version", null, 405)]
    [InlineData("GET", "/api/monitoring/query-stats", "member", 403)]
    public async Task Problem_answers_are_never_stored(string method, string path, string? caller, int status)
    {
        var token = caller is null ? null : (await TestOrganization.CreateAsync(fixture, ["MEMBER"]))["MEMBER"].Token();
        using var request = ApiCalls.Request(new HttpMethod(method), path, token);
        using var response = await fixture.Api.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"Cache-Control: {response.Headers.CacheControl}");
    }

    /// <summary>Host header poisoning (a cache keyed without Host would hand the poisoned Location to everyone).</summary>
    [Fact]
    public async Task A_redirect_leads_to_the_configured_sign_up_page_whatever_host_the_request_names()
    {
        var code = await NewCodeAsync();
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{code}");
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-For", ReferralScenario.NewClientIp());

        using var response = await clicks.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal($"https://app.wedsync.example/signup?ref={code}", response.Headers.Location?.ToString());
    }

    private async Task<string> NewCodeAsync()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        return created.GetProperty("referralCode").GetString()!;
    }
}
