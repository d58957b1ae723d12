using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Alerts;

/// <summary>
/// Issue 22, kind 7: what alerts carry is redacted as GET /api/monitoring/events shows it, and escaped for
/// where it goes: Slack text cannot mention a channel or mask a link, whatever a database client put into
/// its statement or its application_name (which reaches alerts through the session-cancel audit event).
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed class AlertBodyRedactionTests(AppHostFixture fixture)
{
    private const string Hostile = "<!channel> <http://evil.example|click> @here";
    private static readonly string[] Secrets = ["S3cretPw", "Hunter2Pw", "Sw0rdfish"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Webhook_and_slack_bodies_hold_no_credential_and_no_active_mention_or_link()
    {
        await using var database = await AlertsDatabase.CreateAsync(fixture);
        await using var api = await database.StartApiAsync();
        await using var standard = new WebhookReceiver().Start();
        await using var slack = new WebhookReceiver().Start();
        await api.Client.SubscribeAsync(new { url = standard.Url, minimumSeverity = "low" });
        await api.Client.SubscribeAsync(new { url = slack.Url, minimumSeverity = "low", format = "slack" });

        // A slow statement as a client or the sampler records it: a connection URI with a password, a hostile application_name.
        var slowQuery = await database.ScalarAsync<Guid>(
            "INSERT INTO monitoring_events (event_type, severity, event_data) VALUES ('slow_query', 'high', @data::jsonb) RETURNING id",
            ("data", JsonSerializer.Serialize(new
            {
                durationMs = 80_000,
                query = "SELECT * FROM dblink('postgresql://replicator:S3cretPw@db-primary.internal:5432/prod', 'SELECT 1') AS t(x int)",
                applicationName = Hostile,
            })));
        // Key/value conninfo and ALTER ROLE ... PASSWORD, through the API.
        var conninfo = await api.Client.RecordEventAsync("connection_issue", "critical", new { detail = "host=10.0.0.9 user=replicator password=Hunter2Pw" });
        var alterRole = await api.Client.RecordEventAsync("performance_alert", "medium", new { query = "ALTER ROLE app PASSWORD 'Sw0rdfish'", note = "a & b > c" });
        var audit = await CancelHostileSessionAsync(database, api);

        var standardBodies = await standard.WaitForAsync(4, Patience);
        var slackBodies = await slack.WaitForAsync(4, Patience);

        foreach (var body in standardBodies.Concat(slackBodies).Select(w => w.Body))
        {
            Assert.All(Secrets, secret => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));
        }

        // The standard body is JSON with the events endpoint's redaction, and no raw markup in its bytes.
        var events = await api.Client.GetOkAsync("/api/monitoring/events?pageSize=50");
        foreach (var webhook in standardBodies)
        {
            Assert.DoesNotContain("<", webhook.Body, StringComparison.Ordinal);
            var data = JsonDocument.Parse(webhook.Body).RootElement.GetProperty("data");
            var shown = events.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == data.GetProperty("id").GetGuid());
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(shown.GetProperty("eventData").GetRawText()), JsonNode.Parse(data.GetProperty("eventData").GetRawText())),
                $"webhook {data.GetProperty("eventData")} but the events endpoint {shown.GetProperty("eventData")}");
        }

        var slowData = standardBodies.Select(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("data")).Single(d => d.GetProperty("id").GetGuid() == slowQuery);
        Assert.Equal("[REDACTED - SENSITIVE QUERY]", slowData.GetProperty("eventData").GetProperty("query").GetString());
        // Data stays data: the receiver decodes the client's string as it was.
        Assert.Equal(Hostile, slowData.GetProperty("eventData").GetProperty("applicationName").GetString());
        Assert.Equivalent(new[] { slowQuery, conninfo, alterRole, audit }, standardBodies.Select(AlertCalls.EventIdOf).ToArray());

        foreach (var webhook in slackBodies)
        {
            var message = JsonDocument.Parse(webhook.Body).RootElement;
            var text = message.GetProperty("text").GetString()!;
            Assert.DoesNotContain("<", text, StringComparison.Ordinal);
            Assert.DoesNotContain(">", text, StringComparison.Ordinal);
            Assert.DoesNotContain("@here", text, StringComparison.Ordinal);
            Assert.False(message.GetProperty("unfurl_links").GetBoolean());
            Assert.False(message.GetProperty("unfurl_media").GetBoolean());
        }

        Assert.Contains(slackBodies, w => JsonDocument.Parse(w.Body).RootElement.GetProperty("text").GetString()!
            .Contains("&lt;!channel&gt; &lt;http://evil.example|click&gt;", StringComparison.Ordinal));
        Assert.Contains(slackBodies, w => JsonDocument.Parse(w.Body).RootElement.GetProperty("text").GetString()!
            .Contains("a &amp; b &gt; c", StringComparison.Ordinal));
    }

    // A client names itself with Slack markup and runs a statement with a password in it; an admin cancels it.
    private static async Task<Guid> CancelHostileSessionAsync(AlertsDatabase database, ApiServer api)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = Hostile, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        int pid;
        await using (var whoami = new NpgsqlCommand("SELECT pg_backend_pid()", connection))
        {
            pid = (int)(await whoami.ExecuteScalarAsync())!;
        }

        await using var sleep = new NpgsqlCommand("SELECT pg_sleep(60) /* postgresql://replicator:S3cretPw@db-primary.internal/prod */", connection);
        var running = sleep.ExecuteNonQueryAsync();
        await MonitoringCalls.PollAsync(
            () => database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE pid = @pid AND state = 'active'", ("pid", pid)),
            n => n == 1, Patience);

        using var response = await api.Client.SendAsync(ApiCalls.Request(HttpMethod.Post, $"/api/monitoring/sessions/{pid}/cancel", MonitoringCalls.AdminToken));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        await Assert.ThrowsAnyAsync<PostgresException>(() => running.WaitAsync(Patience));
        return JsonDocument.Parse(text).RootElement.GetProperty("auditEventId").GetGuid();
    }
}
