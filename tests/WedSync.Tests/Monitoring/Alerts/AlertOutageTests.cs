using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// Issue 22, kind 5: a receiver outage neither silences alerting nor loses an alert. Alerts queued while the
/// receiver is down arrive in order, once each, when it is back; a burst costs one failure per backoff step,
/// so it does not pause the subscription; a subscription paused by a long outage is probed and resumes by itself.
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed class AlertOutageTests(AppHostFixture fixture)
{
    private const int Alerts = 12;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Twelve_alerts_during_a_short_outage_arrive_in_order_once_each_without_a_pause()
    {
        await using var database = await AlertsDatabase.CreateAsync(fixture);
        // The pause threshold is five failures, as in the report, but they must span a minute.
        await using var api = await database.StartApiAsync(
            ("Webhooks:PauseAfterFailures", "5"), ("Webhooks:PauseAfterFailingFor", "00:01:00"), ("Webhooks:BackoffMax", "00:00:01"));
        var receiver = new WebhookReceiver();
        var (id, _) = await api.Client.SubscribeAsync(new { url = receiver.Url, minimumSeverity = "low" });

        var expected = new List<Guid>();
        for (var i = 0; i < Alerts; i++)
        {
            expected.Add(await api.Client.RecordEventAsync("slow_query", "high", new { n = i }));
        }

        // More failures than the pause threshold, while nothing listens.
        await MonitoringCalls.PollAsync(
            () => database.ScalarAsync<long>("SELECT count(*) FROM webhook_delivery_attempts WHERE NOT succeeded"), n => n >= 6, Patience);
        Assert.False(await PausedAsync(api, id), "a burst of failures paused the subscription");

        await using (receiver.Start())
        {
            await receiver.WaitForAsync(Alerts, Patience);
            // Time for a duplicate to show up if one were coming.
            await Task.Delay(TimeSpan.FromSeconds(2));
            AssertInOrderOnceEach(expected, receiver.Received);
        }

        Assert.False(await PausedAsync(api, id));
        var log = await api.Client.GetOkAsync($"/api/monitoring/alert-subscriptions/{id}/deliveries");
        var errors = log.GetProperty("deliveries").EnumerateArray()
            .SelectMany(d => d.GetProperty("attemptLog").EnumerateArray())
            .Where(a => !a.GetProperty("succeeded").GetBoolean())
            .Select(a => a.GetProperty("error").GetString())
            .ToArray();
        Assert.NotEmpty(errors);
        // A category, not the socket's message: the log must not tell which internal ports answer.
        Assert.All(errors, e => Assert.Equal("connection_refused", e));
    }

    [Fact]
    public async Task A_subscription_paused_by_a_long_outage_is_probed_and_resumes_by_itself_delivering_everything_in_order()
    {
        await using var database = await AlertsDatabase.CreateAsync(fixture);
        await using var api = await database.StartApiAsync(
            ("Webhooks:PauseAfterFailures", "3"), ("Webhooks:PauseAfterFailingFor", "00:00:02"),
            ("Webhooks:BackoffMax", "00:00:01"), ("Webhooks:ProbeInterval", "00:00:00.500"), ("Webhooks:MaxAttempts", "5"));
        var receiver = new WebhookReceiver();
        var (id, _) = await api.Client.SubscribeAsync(new { url = receiver.Url, minimumSeverity = "low" });

        var expected = new List<Guid>();
        for (var i = 0; i < Alerts / 2; i++)
        {
            expected.Add(await api.Client.RecordEventAsync("connection_issue", "critical", new { n = i }));
        }

        await MonitoringCalls.PollAsync(() => PausedAsync(api, id), paused => paused, Patience);
        // Alerts raised while paused are held too; probes failing past MaxAttempts give none of them up.
        for (var i = Alerts / 2; i < Alerts; i++)
        {
            expected.Add(await api.Client.RecordEventAsync("connection_issue", "critical", new { n = i }));
        }

        await MonitoringCalls.PollAsync(
            () => database.ScalarAsync<long>("SELECT max(attempts)::bigint FROM webhook_outbox"), n => n >= 7, Patience);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM webhook_outbox WHERE status = 'failed'"));

        // The receiver comes back; nobody calls resume.
        await using (receiver.Start())
        {
            await receiver.WaitForAsync(Alerts, Patience);
            await Task.Delay(TimeSpan.FromSeconds(2));
            AssertInOrderOnceEach(expected, receiver.Received);
        }

        var subscription = await SubscriptionAsync(api, id);
        Assert.False(subscription.GetProperty("paused").GetBoolean());
        Assert.Equal(0, subscription.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM webhook_outbox WHERE status <> 'delivered'"));
    }

    private static void AssertInOrderOnceEach(IReadOnlyList<Guid> expected, IReadOnlyList<ReceivedWebhook> received)
    {
        Assert.Equal(expected, received.Select(AlertCalls.EventIdOf));
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
    }

    private static async Task<JsonElement> SubscriptionAsync(ApiServer api, Guid id)
    {
        var list = await api.Client.GetOkAsync("/api/monitoring/alert-subscriptions");
        return list.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == id);
    }

    private static async Task<bool> PausedAsync(ApiServer api, Guid id) =>
        (await SubscriptionAsync(api, id)).GetProperty("paused").GetBoolean();
}
