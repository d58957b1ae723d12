using System.Net;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Api;

/// <summary>
/// Issue 24, kind 5: a repeat click is one browser's (its first-party cookie), not one address and
/// User-Agent's: people behind one NAT address with the same browser build each count once, and one
/// browser that changes network does not count twice.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralVisitorCookieTests(AppHostFixture fixture)
{
    private const string Browser = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

    [Fact]
    public async Task People_behind_one_address_each_count_once_and_their_repeats_are_filtered()
    {
        var code = await NewCodeAsync();
        var venueWifi = ReferralScenario.NewClientIp();
        using var alice = ApiClients.Create(fixture.Api.BaseAddress!);
        using var bob = ApiClients.Create(fixture.Api.BaseAddress!);

        foreach (var phone in new[] { alice, bob, alice, bob })
        {
            using var response = await ClickAsync(phone, code, venueWifi);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        Assert.Equal(2L, await CountAsync("referral_clicks", code));
        Assert.Equal(2L, await CountAsync("referral_clicks_filtered", code));
    }

    [Fact]
    public async Task One_browser_that_changes_network_clicks_once()
    {
        var code = await NewCodeAsync();
        using var phone = ApiClients.Create(fixture.Api.BaseAddress!);

        using var atHome = await ClickAsync(phone, code, ReferralScenario.NewClientIp());
        using var onMobile = await ClickAsync(phone, code, ReferralScenario.NewClientIp());

        Assert.Equal(1L, await CountAsync("referral_clicks", code));
        Assert.Equal(1L, await CountAsync("referral_clicks_filtered", code));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("https", true)]
    public async Task The_visitor_cookie_is_http_only_lax_scoped_to_share_links_and_lives_the_repeat_window(string? forwardedProto, bool secure)
    {
        var code = await NewCodeAsync();
        using var browser = ApiClients.Create(fixture.Api.BaseAddress!);

        using var response = await ClickAsync(browser, code, ReferralScenario.NewClientIp(), forwardedProto);

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.StartsWith("wedsync_visitor=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.Contains("path=/r", attributes);
        Assert.Contains("max-age=3600", attributes);
        Assert.Equal(secure, attributes.Contains("secure"));
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("%00%ff\"")]
    public async Task A_cookie_that_is_not_ours_is_a_new_visitor_and_replaced(string value)
    {
        var code = await NewCodeAsync();
        using var client = ApiClients.Create(fixture.Api.BaseAddress!);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{code}");
        request.Headers.Add("X-Forwarded-For", ReferralScenario.NewClientIp());
        request.Headers.TryAddWithoutValidation("Cookie", $"wedsync_visitor={value}");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Matches("^wedsync_visitor=[0-9a-f]{32};", Assert.Single(response.Headers.GetValues("Set-Cookie")));
        Assert.Equal(1L, await CountAsync("referral_clicks", code));
    }

    private static Task<HttpResponseMessage> ClickAsync(HttpClient browser, string code, string clientIp, string? forwardedProto = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{code}");
        request.Headers.Add("X-Forwarded-For", clientIp);
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        request.Headers.TryAddWithoutValidation("User-Agent", Browser);
        return browser.SendAsync(request);
    }

    private async Task<long> CountAsync(string table, string code) => (long)(await fixture.ExecuteAsync(
        $"SELECT count(*) FROM {table} k JOIN referral_codes c ON c.id = k.referral_code_id WHERE c.code = @code", ("code", code)))!;

    private async Task<string> NewCodeAsync()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        return created.GetProperty("referralCode").GetString()!;
    }
}
