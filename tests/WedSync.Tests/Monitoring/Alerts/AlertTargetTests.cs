using System.Text;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// Issue 22, kind 5: alerts never reach internal addresses unless Webhooks:AllowPrivateTargets says so. The
/// URL is refused when configured (naming the rule, before any connection) and the resolved address again
/// when delivering, so a name that points inside (DNS, rebinding, a row written by SQL) sends nothing.
/// Only loopback is ever connected to: the other addresses are refused before a socket opens.
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed class AlertTargetTests(AppHostFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly (string Url, string Rule)[] Refused =
    [
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address (169.254.169.254)"),
        ("http://10.0.0.1/hook", "private address (10.0.0.0/8)"),
        ("http://172.20.1.1/hook", "private address (172.16.0.0/12)"),
        ("http://192.168.1.10:8080/hook", "private address (192.168.0.0/16)"),
        ("http://100.64.0.1/hook", "shared address (100.64.0.0/10)"),
        ("http://169.254.10.10/hook", "link-local address (169.254.0.0/16)"),
        ("http://[fe80::1]/hook", "link-local address (fe80::/10)"),
        ("http://[fd12:3456::1]/hook", "private address (fc00::/7)"),
        ("http://[::ffff:10.0.0.1]/hook", "private address (10.0.0.0/8)"),
        ("http://127.0.0.1:9/hook", "loopback address (127.0.0.0/8)"),
        ("http://2130706433/hook", "loopback address (127.0.0.0/8)"),
        ("http://[::1]/hook", "loopback address (::1)"),
        ("http://localhost:9/hook", "loopback address (localhost)"),
        ("http://alerts.localhost/hook", "loopback address (localhost)"),
    ];

    [Fact]
    public async Task Internal_targets_are_refused_when_configured_naming_the_rule_and_at_delivery_after_resolution()
    {
        await using var database = await AlertsDatabase.CreateAsync(fixture);
        await using var api = await database.StartApiAsync(("Webhooks:AllowPrivateTargets", "false"));

        foreach (var (url, rule) in Refused)
        {
            using var request = ApiCalls.Request(HttpMethod.Post, "/api/monitoring/alert-subscriptions", MonitoringCalls.AdminToken);
            request.Content = new StringContent($$"""{"url":"{{url}}","minimumSeverity":"low"}""", Encoding.UTF8, "application/json");
            using var response = await api.Client.SendAsync(request);
            var problem = await response.AssertProblemAsync(400);
            Assert.Contains(rule, problem.GetProperty("errors").GetProperty("url").ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM webhook_subscriptions"));

        // A subscription stored before the rule (or by psql) whose name resolves to loopback: refused when connecting.
        await using var receiver = new WebhookReceiver().Start();
        var byName = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var id = await database.ScalarAsync<Guid>("""
            WITH s AS (
                INSERT INTO webhook_subscriptions (topic, url, signing_secret) VALUES ('monitoring', @url, @secret) RETURNING id
            )
            INSERT INTO monitoring_alert_filters (subscription_id, minimum_severity) SELECT id, 'low' FROM s RETURNING subscription_id
            """, ("url", byName), ("secret", StandardWebhooks.NewSecret()));
        await api.Client.RecordEventAsync("slow_query", "critical");

        var log = await MonitoringCalls.PollAsync(
            () => api.Client.GetOkAsync($"/api/monitoring/alert-subscriptions/{id}/deliveries"),
            l => l.GetProperty("deliveries").EnumerateArray().Any(d => d.GetProperty("attempts").GetInt32() >= 2),
            Patience);
        var attempts = log.GetProperty("deliveries")[0].GetProperty("attemptLog").EnumerateArray().ToArray();
        Assert.True(attempts.Length >= 2, log.ToString());
        Assert.All(attempts, a => Assert.StartsWith("target_refused: loopback address", a.GetProperty("error").GetString(), StringComparison.Ordinal));
        Assert.All(attempts, a => Assert.Equal(System.Text.Json.JsonValueKind.Null, a.GetProperty("statusCode").ValueKind));
        Assert.Empty(receiver.Received);
    }
}
