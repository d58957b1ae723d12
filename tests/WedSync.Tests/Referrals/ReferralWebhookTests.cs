using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Monitoring.Alerts;
using Secrets = WedSync.Tests.Monitoring.Alerts.StandardWebhooks;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 27: the whole life of a referral reaches the organization's receivers on the signed outbox, each
/// message verifiable with a public Standard Webhooks implementation (the StandardWebhooks package); billing
/// is asked again to deliver an approved reward until it acknowledges it, and never after.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralWebhookTests(AppHostFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_referral_and_reward_topic_is_delivered_signed_to_the_organizations_receivers_and_fulfilment_is_asked_until_acknowledged()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "MEMBER"]);
        var owner = scenario.Organization["OWNER"];
        await using var receiver = new WebhookReceiver().Start();
        await using var fulfilledOnly = new WebhookReceiver().Start();
        var secret = Secrets.NewSecret();
        var subscription = await fixture.Api.PostJsonAsync("/api/referral-webhooks", owner.Token(), new { url = receiver.Url, secret }).OkJsonAsync();
        Assert.Equal(secret, subscription.GetProperty("secret").GetString());
        var filtered = await fixture.Api.PostJsonAsync("/api/referral-webhooks", owner.Token(),
            new { url = fulfilledOnly.Url, eventTypes = new[] { "reward.fulfilled" } }).OkJsonAsync();
        using (var denied = await fixture.Api.PostJsonAsync("/api/referral-webhooks", scenario.Organization["MEMBER"].Token(), new { url = receiver.Url }))
        {
            await denied.AssertProblemAsync(403);
        }

        // Another organization's life stays out of these receivers.
        var other = await ReferralScenario.CreateAsync(fixture);
        await other.ConvertedAsync(fixture, other.Organization["OWNER"]);

        await fixture.SetRulesAsync(owner, new { autoApproveBelowCents = 1000 });
        var created = await scenario.ReferOkAsync(owner, ReferralScenario.NewEmail());
        var referral = created.GetProperty("referralId").GetGuid();
        var code = created.GetProperty("referralCode").GetString()!;
        await fixture.ExecuteAsync("UPDATE referrals SET flagged_for_review = true WHERE id = @r", ("r", referral));
        var referredUser = Guid.NewGuid();
        (await scenario.ConvertAsync(code, referredUser, "signed_up")).Dispose();
        (await scenario.ConvertAsync(code, referredUser, "subscribed")).Dispose();
        var referrerReward = (Guid)(await fixture.ExecuteAsync(
            "SELECT id FROM referral_rewards WHERE referral_id = @r AND side = 'referrer' AND trigger = 'signed_up'", ("r", referral)))!;
        var refereeReward = (Guid)(await fixture.ExecuteAsync(
            "SELECT id FROM referral_rewards WHERE referral_id = @r AND side = 'referee' AND trigger = 'signed_up'", ("r", referral)))!;

        await fixture.TransitionAsync(referrerReward, "approve", owner.Token()).OkJsonAsync();
        // Billing has not acknowledged: the request comes again (Referrals:FulfilmentResendAfter is 3 s in tests).
        await UntilAsync(receiver, messages => messages.Count(m => m.Type == "reward.approved") >= 2);
        await fixture.TransitionAsync(referrerReward, "fulfilled", ReferralScenario.ServiceToken, "credit note CN-7").OkJsonAsync();
        // Longer than a resend interval and a sweep tick: an acknowledged reward is not asked for again.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await fixture.TransitionAsync(refereeReward, "reject", owner.Token(), "duplicate account").OkJsonAsync();
        await fixture.Api.PostJsonAsync("/api/referrals/refunds", ReferralScenario.ServiceToken,
            new { referredUserId = referredUser, @event = "cancelled", occurredAt = DateTimeOffset.UtcNow }).OkJsonAsync();

        var expected = new Dictionary<string, int>
        {
            ["referral.created"] = 1,
            ["referral.flagged"] = 1,
            ["referral.converted"] = 1,
            ["reward.pending"] = 4,
            ["reward.fulfilled"] = 1,
            ["reward.revoked"] = 3,
            ["reward.clawed_back"] = 1,
        };
        var delivered = await UntilAsync(receiver, messages => expected.All(e => messages.Count(m => m.Type == e.Key) >= e.Value));
        Assert.All(expected, e => Assert.Equal(e.Value, delivered.Count(m => m.Type == e.Key)));

        var approvals = delivered.Where(m => m.Type == "reward.approved").ToList();
        Assert.True(approvals.Count >= 2, $"{approvals.Count} fulfilment request(s)");
        Assert.All(approvals, a => Assert.Equal(referrerReward, a.Data.GetProperty("rewardId").GetGuid()));
        var fulfilledAt = delivered.FindIndex(m => m.Type == "reward.fulfilled");
        Assert.DoesNotContain(delivered.Skip(fulfilledAt), m => m.Type == "reward.approved");
        Assert.Equal("credit", approvals[0].Data.GetProperty("rewardType").GetString());
        Assert.Equal($"/api/referrals/rewards/{referrerReward}/fulfilled", approvals[0].Data.GetProperty("acknowledgeUrl").GetString());
        Assert.Equal("clawed_back", delivered.Single(m => m.Type == "reward.clawed_back").Data.GetProperty("state").GetString());
        Assert.True(delivered.Single(m => m.Type == "referral.flagged").Data.GetProperty("flaggedForReview").GetBoolean());

        // Every message: this organization's, one webhook-id each, verified by the public implementation and refused with another secret.
        Assert.All(delivered, m => Assert.Equal(scenario.Organization.Id, m.Data.GetProperty("organizationId").GetGuid()));
        Assert.Equal(delivered.Count, delivered.Select(m => m.Webhook.Id).Distinct().Count());
        var verifier = new StandardWebhook(secret);
        var stranger = new StandardWebhook(Secrets.NewSecret());
        foreach (var message in delivered)
        {
            verifier.Verify(message.Webhook.Body, HeadersOf(message.Webhook));
            Assert.Throws<WebhookVerificationException>(() => stranger.Verify(message.Webhook.Body, HeadersOf(message.Webhook)));
        }

        var onlyFulfilled = await fulfilledOnly.WaitForAsync(1, Patience);
        Assert.Equal("reward.fulfilled", Parse(onlyFulfilled.Single()).Type);

        var listed = await fixture.Api.GetAsync("/api/referral-webhooks", owner.Token()).OkJsonAsync();
        Assert.Equal(2, listed.GetProperty("items").GetArrayLength());
        var filteredId = filtered.GetProperty("subscription").GetProperty("id").GetGuid();
        using (var deleted = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Delete, $"/api/referral-webhooks/{filteredId}", owner.Token())))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Delete, $"/api/referral-webhooks/{filteredId}", owner.Token())))
        {
            await again.AssertProblemAsync(404);
        }
    }

    private sealed record Message(string Type, JsonElement Data, ReceivedWebhook Webhook);

    private static Message Parse(ReceivedWebhook webhook)
    {
        var body = JsonDocument.Parse(webhook.Body).RootElement.Clone();
        return new Message(body.GetProperty("type").GetString()!, body.GetProperty("data"), webhook);
    }

    private static Task<List<Message>> UntilAsync(WebhookReceiver receiver, Func<List<Message>, bool> done) =>
        MonitoringCalls.PollAsync(() => Task.FromResult(receiver.Received.Select(Parse).ToList()), done, Patience, TimeSpan.FromMilliseconds(200));

    private static HeaderDictionary HeadersOf(ReceivedWebhook webhook) => new()
    {
        ["webhook-id"] = webhook.Id,
        ["webhook-timestamp"] = webhook.Timestamp,
        ["webhook-signature"] = webhook.Signature,
    };
}
