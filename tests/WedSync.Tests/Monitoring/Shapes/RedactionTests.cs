using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring.Shapes;

/// <summary>
/// Issue 15, kind 4: credentials without a trigger word are credentials, in every endpoint that shows
/// statement text. Instances: a URI with user info in a running statement (the example) and in
/// event data; a key=value connection string (the dsn pgaudit #201 logged in clear); a conninfo setting
/// of ALTER SYSTEM kept by pg_stat_statements (pganalyze collector #171 redacts primary_conninfo); other
/// URI schemes. Harmless text that merely looks similar stays visible.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RedactionTests(AppHostFixture fixture)
{
    private const string Redacted = "[REDACTED - SENSITIVE QUERY]";

    [Fact]
    public async Task Running_statements_with_connection_uris_or_conninfo_are_redacted_in_slow_queries()
    {
        await fixture.Api.GetOkAsync("/api/monitoring/slow-queries");
        var uri = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(8), 'postgresql://replicator:S3cret@10.0.0.9/prod'");
        var conninfo = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(8), 'host=10.0.0.9 port=5432 dbname=prod user=replicator' AS dsn");
        var mysql = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(8), 'mysql://app:Pa55@db.internal:3306/shop' AS target");
        var harmless = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(8), 'https://example.com/a@b' AS link /* harmless */");
        var sessions = new[] { uri, conninfo, mysql, harmless };
        try
        {
            var seen = await MonitoringCalls.PollAsync(
                async () => (await fixture.Api.GetOkAsync("/api/monitoring/slow-queries?minDurationMs=100"))
                    .GetProperty("items").EnumerateArray().Where(i => sessions.Any(s => s.Pid == i.GetProperty("pid").GetInt32())).ToList(),
                items => items.Count == sessions.Length,
                TimeSpan.FromSeconds(6));
            Assert.Equal(sessions.Length, seen.Count);
            foreach (var session in new[] { uri, conninfo, mysql })
            {
                var item = seen.Single(i => i.GetProperty("pid").GetInt32() == session.Pid);
                Assert.Equal(Redacted, item.GetProperty("query").GetString());
                Assert.True(item.GetProperty("queryRedacted").GetBoolean());
            }

            var shown = seen.Single(i => i.GetProperty("pid").GetInt32() == harmless.Pid);
            Assert.Contains("harmless", shown.GetProperty("query").GetString(), StringComparison.Ordinal);
            Assert.False(shown.GetProperty("queryRedacted").GetBoolean());
            var all = JsonSerializer.Serialize(seen);
            Assert.DoesNotContain("S3cret", all, StringComparison.Ordinal);
            Assert.DoesNotContain("replicator", all, StringComparison.Ordinal);
            Assert.DoesNotContain("Pa55", all, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var session in sessions)
            {
                await fixture.ExecuteAsync("SELECT pg_cancel_backend(@pid)", ("pid", session.Pid));
            }

            // A connection is disposed only once its statement has ended (here: canceled).
            foreach (var session in sessions)
            {
                await Assert.ThrowsAnyAsync<Exception>(() => session.Running.WaitAsync(TimeSpan.FromSeconds(30)));
                await session.Connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Statements_kept_by_pg_stat_statements_with_conninfo_or_uris_are_redacted_in_query_stats()
    {
        var marker = $"redact_{Guid.NewGuid():N}"[..20];
        await fixture.ExecuteAsync($"CREATE TABLE {marker} (id integer PRIMARY KEY)");
        try
        {
            // Utility statements keep their literals in pg_stat_statements. After a reset, and called
            // more often than anything else, they are the top of the list.
            await fixture.ExecuteAsync("""
                DO $$ BEGIN
                    EXECUTE format('SELECT %I.pg_stat_statements_reset()',
                                   (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'));
                END $$
                """);
            for (var i = 0; i < 25; i++)
            {
                await fixture.ExecuteAsync($"COMMENT ON TABLE {marker} IS 'replica at postgresql://replicator:S3cret@10.0.0.9/prod'");
                await fixture.ExecuteAsync("ALTER SYSTEM SET primary_conninfo = 'host=10.0.0.9 port=5432 user=replicator sslmode=require'");
            }

            var body = await fixture.Api.GetOkAsync("/api/monitoring/query-stats?top=100&orderBy=calls");
            var texts = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("query").GetString()).ToList();
            Assert.DoesNotContain(texts, t => t?.Contains("S3cret", StringComparison.Ordinal) == true);
            Assert.DoesNotContain(texts, t => t?.Contains("10.0.0.9", StringComparison.Ordinal) == true);
            Assert.True(texts.Count(t => t == Redacted) >= 2, string.Join("\n", texts));
        }
        finally
        {
            await fixture.ExecuteAsync("ALTER SYSTEM RESET primary_conninfo");
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {marker}");
        }
    }

    [Fact]
    public async Task Event_data_with_uris_conninfo_or_credential_keys_is_redacted_in_every_events_endpoint()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken, new
        {
            eventType = "slow_query",
            severity = "low",
            eventData = new
            {
                marker,
                query = "SELECT pg_sleep(8), 'postgresql://replicator:S3cret@10.0.0.9/prod'",
                nested = new { dsn = "host=10.0.0.9 user=replicator", password = "hunter2", note = "kept" },
                durations = new[] { 8000 },
            },
        });
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.True((int)created.StatusCode == 201, createdText);
        var id = JsonDocument.Parse(createdText).RootElement.GetProperty("id").GetGuid();

        var list = await fixture.Api.GetOkAsync("/api/monitoring/events?type=slow_query&pageSize=100");
        var listed = list.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == id);
        using var resolved = await fixture.Api.PostJsonAsync($"/api/monitoring/events/{id}/resolve", MonitoringCalls.AdminToken,
            new { resolutionNotes = "seen" });
        var resolvedText = await resolved.Content.ReadAsStringAsync();
        Assert.True((int)resolved.StatusCode == 200, resolvedText);

        foreach (var data in new[]
                 {
                     JsonDocument.Parse(createdText).RootElement.GetProperty("eventData"),
                     listed.GetProperty("eventData"),
                     JsonDocument.Parse(resolvedText).RootElement.GetProperty("eventData"),
                 })
        {
            var text = data.GetRawText();
            Assert.DoesNotContain("S3cret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("replicator", text, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
            Assert.Equal(Redacted, data.GetProperty("query").GetString());
            Assert.Equal(Redacted, data.GetProperty("nested").GetProperty("dsn").GetString());
            Assert.Equal("kept", data.GetProperty("nested").GetProperty("note").GetString());
            Assert.Equal(marker, data.GetProperty("marker").GetString());
            Assert.Equal(8000, data.GetProperty("durations")[0].GetInt32());
        }
    }
}
