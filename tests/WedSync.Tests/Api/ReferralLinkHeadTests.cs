using System.Net;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Api;

/// <summary>
/// Issue 24, kind 5: HEAD /r/{code} answers like GET (status, Location, caching headers, no body) and
/// never records a click, counted or filtered. Link checkers and unfurlers ask HEAD before GET.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralLinkHeadTests(AppHostFixture fixture)
{
    private const string Browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    /// <summary>Headers that differ between any two answers (when, how long) or that only a GET may carry.</summary>
    private static readonly string[] Varying = ["Date", "Content-Length", "Transfer-Encoding", "Set-Cookie"];

    [Theory]
    [InlineData(Browser)]
    [InlineData("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")]
    public async Task Head_of_a_live_link_redirects_like_get_and_records_nothing(string userAgent)
    {
        var code = await NewCodeAsync();
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);

        using var head = await SendAsync(clicks, HttpMethod.Head, $"/r/{code}", userAgent);
        Assert.Equal(HttpStatusCode.Found, head.StatusCode);
        Assert.Equal((0L, 0L), await RecordedAsync(code));

        using var get = await SendAsync(clicks, HttpMethod.Get, $"/r/{code}", userAgent);
        var afterGet = await RecordedAsync(code);
        using var headAgain = await SendAsync(clicks, HttpMethod.Head, $"/r/{code}", userAgent);

        Assert.Equal(HttpStatusCode.Found, get.StatusCode);
        Assert.Equal(1L, afterGet.Counted + afterGet.Filtered);
        Assert.Equal(afterGet, await RecordedAsync(code));
        Assert.Equal(Headers(get), Headers(head));
        Assert.Equal(Headers(get), Headers(headAgain));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_of_an_unknown_link_is_the_same_404_without_a_body()
    {
        using var clicks = ApiClients.Create(fixture.Api.BaseAddress!);

        using var get = await SendAsync(clicks, HttpMethod.Get, "/r/ZZZZHEAD9", Browser);
        using var head = await SendAsync(clicks, HttpMethod.Head, "/r/ZZZZHEAD9", Browser);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Equal(Headers(get), Headers(head));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    private static string Headers(HttpResponseMessage response) => string.Join("\n", response.Headers.Concat(response.Content.Headers)
        .Where(header => !Varying.Contains(header.Key, StringComparer.OrdinalIgnoreCase))
        .OrderBy(header => header.Key, StringComparer.OrdinalIgnoreCase)
        .Select(header => $"{header.Key}: {string.Join(", ", header.Value)}"));

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string userAgent)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-For", ReferralScenario.NewClientIp());
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        return client.SendAsync(request);
    }

    private async Task<(long Counted, long Filtered)> RecordedAsync(string code)
    {
        var counted = (long)(await fixture.ExecuteAsync(
            "SELECT count(*) FROM referral_clicks k JOIN referral_codes c ON c.id = k.referral_code_id WHERE c.code = @code", ("code", code)))!;
        var filtered = (long)(await fixture.ExecuteAsync(
            "SELECT count(*) FROM referral_clicks_filtered f JOIN referral_codes c ON c.id = f.referral_code_id WHERE c.code = @code", ("code", code)))!;
        return (counted, filtered);
    }

    private async Task<string> NewCodeAsync()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        return created.GetProperty("referralCode").GetString()!;
    }
}
