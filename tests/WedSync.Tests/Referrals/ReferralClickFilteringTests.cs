using System.Net;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 24, kind 5: /r/{code} counts people, not link-preview crawlers or one visitor clicking again;
/// those are stored as filtered with the reason.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralClickFilteringTests(AppHostFixture fixture)
{
    private const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

    /// <summary>The example (Slack unfurling a shared link), plus WhatsApp and X's crawlers.</summary>
    [Theory]
    [InlineData("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")]
    [InlineData("WhatsApp/2.23.20.0")]
    [InlineData("Twitterbot/1.0")]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")]
    public async Task A_link_preview_crawler_is_stored_filtered_and_not_counted(string crawler)
    {
        var code = await NewCodeAsync();
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);

        using var response = await ClickAsync(clicks, HttpMethod.Get, code, ReferralScenario.NewClientIp(), crawler);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(0L, await CountedAsync(code));
        Assert.Equal("link_preview", await fixture.ExecuteAsync(
            "SELECT string_agg(f.reason, ',') FROM referral_clicks_filtered f JOIN referral_codes c ON c.id = f.referral_code_id WHERE c.code = @code", ("code", code)));
    }

    /// <summary>Two clicks of one visitor (one browser: its cookie) within the hour are one click; another visitor counts.</summary>
    [Fact]
    public async Task Repeat_clicks_of_one_visitor_count_once()
    {
        var code = await NewCodeAsync();
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);
        var visitor = ReferralScenario.NewClientIp();

        using var first = await ClickAsync(clicks, HttpMethod.Get, code, visitor, Browser);
        using var again = await ClickAsync(clicks, HttpMethod.Get, code, visitor, Browser);
        using var otherBrowser = ApiClients.Create(fixture.Api.BaseAddress!);
        using var other = await ClickAsync(otherBrowser, HttpMethod.Get, code, ReferralScenario.NewClientIp(), Browser);

        Assert.All([first, again, other], r => Assert.Equal(HttpStatusCode.Found, r.StatusCode));
        Assert.Equal(2L, await CountedAsync(code));
        Assert.Equal("repeat_visitor", await fixture.ExecuteAsync(
            "SELECT string_agg(f.reason, ',') FROM referral_clicks_filtered f JOIN referral_codes c ON c.id = f.referral_code_id WHERE c.code = @code", ("code", code)));
    }

    private async Task<long> CountedAsync(string code) => (long)(await fixture.ExecuteAsync(
        "SELECT count(*) FROM referral_clicks k JOIN referral_codes c ON c.id = k.referral_code_id WHERE c.code = @code", ("code", code)))!;

    private async Task<string> NewCodeAsync()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        return created.GetProperty("referralCode").GetString()!;
    }

    private static Task<HttpResponseMessage> ClickAsync(HttpClient clicks, HttpMethod method, string code, string client, string userAgent)
    {
        var request = new HttpRequestMessage(method, $"/r/{code}");
        request.Headers.Add("X-Forwarded-For", client);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        return clicks.SendAsync(request);
    }
}
