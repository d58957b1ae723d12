using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Monitoring.Alerts;
using Secrets = WedSync.Tests.Monitoring.Alerts.StandardWebhooks;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 27: referral.clicked is aggregated, not one message per click: the sweep tells a receiver once per
/// referral per window how many counted clicks came since its last message, signed like every referral topic.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralClickedWebhookTests(AppHostFixture fixture)
{
    private const string Browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Clicks_reach_the_receiver_as_one_signed_message_per_window_with_the_count_since_the_last_one()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await using var receiver = new WebhookReceiver().Start();
        var secret = Secrets.NewSecret();
        await fixture.Api.PostJsonAsync("/api/referral-webhooks", owner.Token(),
            new { url = receiver.Url, secret, eventTypes = new[] { "referral.clicked" } }).OkJsonAsync();
        var created = await scenario.ReferOkAsync(owner, ReferralScenario.NewEmail());
        var referral = created.GetProperty("referralId").GetGuid();
        var code = created.GetProperty("referralCode").GetString()!;

        // Five people follow the link (the sweep of the running API may tell of some of them at once).
        for (var i = 0; i < 5; i++)
        {
            using var response = await ClickAsync(code);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        // The sweep's function with no window left to wait: whatever was not told yet goes out in one message.
        await ReportAsync();
        var first = await UntilAsync(receiver, messages => messages.Sum(m => m.GetProperty("clicks").GetInt64()) >= 5);
        Assert.Equal(5, first.Sum(m => m.GetProperty("clicks").GetInt64()));
        Assert.InRange(first.Count, 1, 2);
        Assert.Equal(5, first[^1].GetProperty("totalClicks").GetInt64());

        // Nothing new: no message. One more click: one message with that one click and the total.
        await ReportAsync();
        using (var response = await ClickAsync(code))
        {
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        }

        await ReportAsync();
        var all = await UntilAsync(receiver, messages => messages.Count > first.Count);
        Assert.Equal(first.Count + 1, all.Count);
        Assert.Equal(1, all[^1].GetProperty("clicks").GetInt64());
        Assert.Equal(6, all[^1].GetProperty("totalClicks").GetInt64());
        Assert.All(all, m => Assert.Equal(referral, m.GetProperty("referralId").GetGuid()));
        Assert.All(all, m => Assert.Equal(scenario.Organization.Id, m.GetProperty("organizationId").GetGuid()));

        // Signed as the other topics: verified by the public Standard Webhooks implementation, refused with another secret.
        var verifier = new StandardWebhook(secret);
        var stranger = new StandardWebhook(Secrets.NewSecret());
        foreach (var webhook in receiver.Received)
        {
            Assert.Equal("referral.clicked", JsonDocument.Parse(webhook.Body).RootElement.GetProperty("type").GetString());
            verifier.Verify(webhook.Body, HeadersOf(webhook));
            Assert.ThrowsAny<Exception>(() => stranger.Verify(webhook.Body, HeadersOf(webhook)));
        }
    }

    /// <summary>As the sweep calls it, with no window: the test does not wait the configured minutes.</summary>
    private Task ReportAsync() => fixture.ExecuteAsync("SELECT referral_clicks_report(interval '0', interval '1 day', 500)");

    /// <summary>A new visitor (no cookie, own address) following the share link.</summary>
    private async Task<HttpResponseMessage> ClickAsync(string code)
    {
        using var client = ApiClients.Create(fixture.Api.BaseAddress!);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{code}");
        request.Headers.Add("X-Forwarded-For", ReferralScenario.NewClientIp());
        request.Headers.TryAddWithoutValidation("User-Agent", Browser);
        return await client.SendAsync(request);
    }

    private static Task<List<JsonElement>> UntilAsync(WebhookReceiver receiver, Func<List<JsonElement>, bool> done) =>
        MonitoringCalls.PollAsync(
            () => Task.FromResult(receiver.Received.Select(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("data").Clone()).ToList()),
            done, Patience, TimeSpan.FromMilliseconds(200));

    private static HeaderDictionary HeadersOf(ReceivedWebhook webhook) => new()
    {
        ["webhook-id"] = webhook.Id,
        ["webhook-timestamp"] = webhook.Timestamp,
        ["webhook-signature"] = webhook.Signature,
    };
}
