using System.Net;
using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// Done-when: a webhook receiver gets one signed delivery per matching event; a receiver answering 500
/// sees retries with growing delays, then the subscription is paused (and the summary says so); resumed,
/// the held message arrives under its webhook-id. Each test runs its own API process on its own database.
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed class AlertDeliveryTests(AppHostFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Each_matching_event_arrives_once_signed_from_every_writer_and_a_failing_receiver_is_retried_with_growing_delays_then_paused()
    {
        await using var database = await AlertsDatabase.CreateAsync(fixture);
        // Paused at the fourth failure (it comes at least 2.1 s after the first); no probe during the test.
        await using var api = await database.StartApiAsync(
            ("Webhooks:PauseAfterFailures", "4"), ("Webhooks:PauseAfterFailingFor", "00:00:01.500"), ("Webhooks:ProbeInterval", "00:10:00"));
        await using var receiver = new WebhookReceiver().Start();
        await using var failing = new WebhookReceiver { Status = HttpStatusCode.InternalServerError }.Start();

        var secret = StandardWebhooks.NewSecret();
        var (_, returnedSecret) = await api.Client.SubscribeAsync(new
        {
            url = receiver.Url,
            minimumSeverity = "high",
            eventTypes = new[] { "slow_query", "connection_issue" },
            secret,
        });
        Assert.Equal(secret, returnedSecret);
        var (failingId, generatedSecret) = await api.Client.SubscribeAsync(new
        {
            url = failing.Url,
            minimumSeverity = "low",
            eventTypes = new[] { "table_health" },
            format = "slack",
        });
        Assert.Equal(32, Convert.FromBase64String(generatedSecret["whsec_".Length..]).Length);

        // Matching: severity high or above and one of the two types, from the API and from plain SQL.
        var expected = new[]
        {
            await api.Client.RecordEventAsync("slow_query", "critical"),
            await api.Client.RecordEventAsync("slow_query", "high"),
            await database.InsertEventAsync("connection_issue", "high"),
        };
        // Not matching the first subscription: too low, another type. The second matches the last only.
        await api.Client.RecordEventAsync("slow_query", "medium");
        await database.InsertEventAsync("table_health", "critical");

        var delivered = await receiver.WaitForAsync(expected.Length, Patience);
        var retried = await failing.WaitForAsync(4, Patience);
        // Time for a duplicate or a fifth attempt to show up if one were coming.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        delivered = receiver.Received;
        Assert.Equal(expected.Order(), delivered.Select(AlertCalls.EventIdOf).Order());
        Assert.Equal(delivered.Count, delivered.Select(d => d.Id).Distinct().Count());
        foreach (var webhook in delivered)
        {
            Assert.True(StandardWebhooks.Verifies(secret, webhook), $"signature of {webhook.Id} does not verify");
            Assert.False(StandardWebhooks.Verifies(StandardWebhooks.NewSecret(), webhook));
            var sentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(webhook.Timestamp!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(sentAt, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(5));
            using var body = JsonDocument.Parse(webhook.Body);
            Assert.StartsWith("monitoring.", body.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        }

        // One message, four attempts under one webhook-id, each wait at least double the one before it.
        // Only lower bounds are asserted: a loaded machine stretches a wait, it never shortens one, so a
        // measured gap at or above base × 2^i for every i is the growing schedule (300, 600, 1200 ms).
        retried = failing.Received;
        Assert.Equal(4, retried.Count);
        Assert.Single(retried.Select(r => r.Id).Distinct());
        Assert.All(retried, r => Assert.True(StandardWebhooks.Verifies(generatedSecret, r)));
        Assert.Contains("table_health", JsonDocument.Parse(retried[0].Body).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        var gaps = retried.Zip(retried.Skip(1), (a, b) => b.ReceivedAtUtc - a.ReceivedAtUtc).ToArray();
        for (var i = 0; i < gaps.Length; i++)
        {
            Assert.True(gaps[i] >= TimeSpan.FromMilliseconds(300 * Math.Pow(2, i)) - TimeSpan.FromMilliseconds(20),
                $"attempt {i + 2} came {gaps[i].TotalMilliseconds} ms after the one before");
        }

        // Paused: the list, the delivery log and the summary say so.
        var subscriptions = await api.Client.GetOkAsync("/api/monitoring/alert-subscriptions");
        var paused = subscriptions.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == failingId);
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(4, paused.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("500", paused.GetProperty("pauseReason").GetString(), StringComparison.Ordinal);

        var log = await api.Client.GetOkAsync($"/api/monitoring/alert-subscriptions/{failingId}/deliveries");
        var message = Assert.Single(log.GetProperty("deliveries").EnumerateArray());
        Assert.Equal(retried[0].Id, message.GetProperty("webhookId").GetString());
        Assert.Equal("pending", message.GetProperty("status").GetString());
        Assert.Equal(4, message.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.String, message.GetProperty("nextAttemptAt").ValueKind);
        var attempts = message.GetProperty("attemptLog").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3, 4], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.All(attempts, a => Assert.Equal(500, a.GetProperty("statusCode").GetInt32()));

        var summary = await api.Client.GetFreshOkAsync("/api/monitoring/summary");
        Assert.Contains(summary.GetProperty("recommendations").EnumerateArray(),
            r => r.GetString()!.Contains(failingId.ToString(), StringComparison.Ordinal) && r.GetString()!.Contains("paused", StringComparison.Ordinal));

        // Resumed with the receiver fixed: the held message arrives, under the same webhook-id.
        failing.Status = HttpStatusCode.NoContent;
        using (var resume = ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/alert-subscriptions/{failingId}/resume", MonitoringCalls.AdminToken))
        using (var resumed = await api.Client.SendAsync(resume))
        {
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        }

        retried = await failing.WaitForAsync(5, Patience);
        Assert.Equal(retried[0].Id, retried[^1].Id);
        var settled = await MonitoringCalls.PollAsync(
            () => api.Client.GetOkAsync($"/api/monitoring/alert-subscriptions/{failingId}/deliveries"),
            l => l.GetProperty("deliveries")[0].GetProperty("status").GetString() == "delivered", Patience);
        Assert.Equal("delivered", settled.GetProperty("deliveries")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Events_recorded_while_the_receiver_is_down_all_arrive_after_the_api_restarts_none_twice()
    {
        await using var database = await AlertsDatabase.CreateAsync(fixture);
        // No pause here: the receiver is down on purpose for a while.
        (string, string) neverPause = ("Webhooks:PauseAfterFailures", "10000");
        var receiver = new WebhookReceiver();
        var secret = StandardWebhooks.NewSecret();
        Guid[] expected;
        Guid rolledBack;
        await using (var api = await database.StartApiAsync(neverPause))
        {
            await api.Client.SubscribeAsync(new { url = receiver.Url, minimumSeverity = "medium", secret });
            expected =
            [
                await api.Client.RecordEventAsync("slow_query", "high"),
                await api.Client.RecordEventAsync("rls_violation", "critical"),
                await database.InsertEventAsync("table_health", "medium"),
                // Non-ASCII text: the signature covers the UTF-8 bytes that are sent, not a re-encoding.
                await api.Client.RecordEventAsync("performance_alert", "medium", new { venue = "Château d'Été 💍", note = "naïve \"quoted\" \u2028" }),
            ];
            await api.Client.RecordEventAsync("slow_query", "low");
            rolledBack = await database.InsertEventAndRollBackAsync("slow_query", "critical");

            // The queue has been tried (its oldest message, and failed: nothing listens) before the API goes away.
            var tried = await MonitoringCalls.PollAsync(
                () => database.ScalarAsync<long>("SELECT count(*) FROM webhook_delivery_attempts WHERE NOT succeeded"),
                n => n >= 2, Patience);
            Assert.True(tried >= 2);
            await api.KillAsync();
        }

        await using (receiver.Start())
        {
            // Nothing runs that could deliver.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty(receiver.Received);

            await using var restarted = await database.StartApiAsync(neverPause);
            await receiver.WaitForAsync(expected.Length, Patience);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var delivered = receiver.Received;

            Assert.Equal(expected.Order(), delivered.Select(AlertCalls.EventIdOf).Order());
            Assert.DoesNotContain(rolledBack, delivered.Select(AlertCalls.EventIdOf));
            Assert.Equal(delivered.Count, delivered.Select(d => d.Id).Distinct().Count());
            Assert.All(delivered, d => Assert.True(StandardWebhooks.Verifies(secret, d)));
            Assert.Contains(delivered, d => d.Body.Contains("Château d'Été 💍", StringComparison.Ordinal));
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM webhook_outbox WHERE status <> 'delivered'"));
        }
    }

    [Fact]
    public async Task Two_api_instances_behind_a_transaction_pooler_deliver_every_event_exactly_once()
    {
        await using var database = await AlertsDatabase.CreateAsync(fixture);
        await using var pooler = await PgBouncerProcess.StartAsync(database.ConnectionString);
        await using var receiver = new WebhookReceiver().Start();
        // Small batches and quick polls, so both instances claim from the same rows at once.
        (string, string)[] settings = [("Webhooks:BatchSize", "3"), ("Webhooks:PollInterval", "00:00:00.050")];
        await using var first = await ApiServer.StartAsync(pooler.ConnectionString, AlertsDatabase.FastDelivery.ToDictionary().With(settings));
        await using var second = await ApiServer.StartAsync(pooler.ConnectionString, AlertsDatabase.FastDelivery.ToDictionary().With(settings));
        var secret = StandardWebhooks.NewSecret();
        await first.Client.SubscribeAsync(new { url = receiver.Url, minimumSeverity = "low", secret });

        const int events = 60;
        var expected = new List<Guid>();
        for (var i = 0; i < events / 2; i++)
        {
            expected.Add(await (i % 2 == 0 ? first : second).Client.RecordEventAsync("performance_alert", "medium"));
            expected.Add(await database.InsertEventAsync("slow_query", "high"));
        }

        await receiver.WaitForAsync(events, Patience);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var delivered = receiver.Received;

        Assert.Equal(expected.Order(), delivered.Select(AlertCalls.EventIdOf).Order());
        Assert.Equal(events, delivered.Select(d => d.Id).Distinct().Count());
        Assert.All(delivered, d => Assert.True(StandardWebhooks.Verifies(secret, d)));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM webhook_delivery_attempts WHERE NOT succeeded"));
    }
}
