using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Console;

/// <summary>
/// Issue 28: the Events page shows each event's details (type, timestamps, severity history, the statement
/// of slow queries and alerts), redacted exactly as GET /api/monitoring/events redacts.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsoleEventDetailsTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    [Fact]
    public async Task Events_show_statements_and_severity_history_redacted_as_the_API_redacts_them()
    {
        var marker = Guid.NewGuid().ToString("N");
        var secret = $"hunter2-{marker}";
        var plain = $"SELECT count(*) FROM referrals WHERE code = 'plain-{marker}'";
        var queryId = -Random.Shared.NextInt64(1, long.MaxValue);
        var storedText = $"SELECT stored_{marker} FROM vendors WHERE id = $1";

        // An alert recorded over the API with a credential in its statement text.
        using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken, new
        {
            eventType = "performance_alert",
            severity = "low",
            eventData = new { statement = $"SELECT dblink_connect('postgresql://replicator:{secret}@10.0.0.9/app')", marker },
        });
        var createdBody = await created.Content.ReadAsStringAsync();
        Assert.True((int)created.StatusCode == 201, createdBody);
        var alert = JsonDocument.Parse(createdBody).RootElement.GetProperty("id").GetGuid();

        // A slow query the sampler raised once: its history holds the secret in the earlier level's data.
        var raised = await InsertAsync(
            "slow_query", "medium", JsonSerializer.Serialize(new { query = plain, durationMs = 61_000 }),
            JsonSerializer.Serialize(new object[]
            {
                new { severity = "low", at = DateTimeOffset.UtcNow.AddMinutes(-3), eventData = new { query = $"SELECT 1 WHERE password = '{secret}'" } },
                new { severity = "medium", at = DateTimeOffset.UtcNow.AddMinutes(-1), eventData = new { query = plain } },
            }));

        // A slow query as the sampler records it: by queryId, whose stored text the page shows.
        await using (var connection = fixture.OpenDatabase())
        {
            await using var text = new NpgsqlCommand("INSERT INTO monitoring_history.query_texts (queryid, query) VALUES (@id, @query)", connection);
            text.Parameters.AddWithValue("id", queryId);
            text.Parameters.AddWithValue("query", storedText);
            await text.ExecuteNonQueryAsync();
        }

        var byId = await InsertAsync("slow_query", "low", JsonSerializer.Serialize(new { pid = 4242, durationMs = 9_000, queryId = queryId.ToString(System.Globalization.CultureInfo.InvariantCulture) }), null);

        var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, "ops@wedsync.test");
        try
        {
            // What the API answers for the alert: its redacted statement.
            using var listed = await fixture.Api.GetAsync("/api/monitoring/events?type=performance_alert&resolved=false&pageSize=100", MonitoringCalls.AdminToken);
            listed.EnsureSuccessStatusCode();
            var apiEvent = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
                .Single(e => e.GetProperty("id").GetGuid() == alert);
            var apiStatement = apiEvent.GetProperty("eventData").GetProperty("statement").GetString()!;
            Assert.DoesNotContain(secret, apiStatement, StringComparison.Ordinal);

            await page.GotoAsync("/console/events?state=open");
            var html = await page.ContentAsync();
            Assert.DoesNotContain(secret, html, StringComparison.Ordinal);

            var alertRow = page.Locator($"tr[data-event-id=\"{alert}\"]");
            Assert.Equal(apiStatement, (await alertRow.Locator("[data-statement]").TextContentAsync())!.Trim());
            Assert.Contains("performance_alert", await alertRow.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains(marker, await alertRow.Locator("[data-event-details]").InnerTextAsync(), StringComparison.Ordinal);

            var raisedRow = page.Locator($"tr[data-event-id=\"{raised}\"]");
            Assert.Equal(plain, (await raisedRow.Locator("[data-statement]").TextContentAsync())!.Trim());
            var history = await raisedRow.Locator("[data-severity-history] li").AllInnerTextsAsync();
            Assert.Equal(2, history.Count);
            Assert.StartsWith("low", history[0], StringComparison.Ordinal);
            Assert.StartsWith("medium", history[1], StringComparison.Ordinal);
            // Recorded, raised and each level's time, as <time> elements (UTC on hover).
            Assert.True(await raisedRow.Locator("time").CountAsync() >= 4, await raisedRow.InnerHTMLAsync());
            Assert.Contains("61000", await raisedRow.InnerTextAsync(), StringComparison.Ordinal);

            var byIdRow = page.Locator($"tr[data-event-id=\"{byId}\"]");
            Assert.Equal(storedText, (await byIdRow.Locator("[data-statement]").TextContentAsync())!.Trim());
        }
        finally
        {
            await page.Context.CloseAsync();
            await using var connection = fixture.OpenDatabase();
            await using var resolve = new NpgsqlCommand(
                "UPDATE monitoring_events SET resolved_at = now(), resolution_notes = 'console details test' WHERE id = ANY(@ids) AND resolved_at IS NULL;"
                + " DELETE FROM monitoring_history.query_texts WHERE queryid = @queryId", connection);
            resolve.Parameters.AddWithValue("ids", new[] { alert, raised, byId });
            resolve.Parameters.AddWithValue("queryId", queryId);
            await resolve.ExecuteNonQueryAsync();
        }
    }

    private async Task<Guid> InsertAsync(string type, string severity, string data, string? history)
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO monitoring_events (event_type, severity, event_data, raised_at, severity_history)
            VALUES (@type, @severity, @data::jsonb, CASE WHEN @history::jsonb IS NULL THEN NULL ELSE now() END, @history::jsonb)
            RETURNING id
            """, connection);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("severity", severity);
        command.Parameters.AddWithValue("data", data);
        command.Parameters.Add(new NpgsqlParameter("history", NpgsqlDbType.Text) { Value = (object?)history ?? DBNull.Value });
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
