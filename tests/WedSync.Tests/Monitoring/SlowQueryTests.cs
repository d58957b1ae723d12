using System.Text.Json;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring;

/// <summary>Done-when 1: statements of other sessions show with their duration, redacted or truncated.</summary>
[Collection(AppHostCollection.Name)]
public sealed class SlowQueryTests(AppHostFixture fixture)
{
    private const string Redacted = "[REDACTED - SENSITIVE QUERY]";

    [Fact]
    public async Task Running_statements_show_with_duration_credentials_redacted_and_long_text_truncated()
    {
        var filler = new string('x', 800);
        // The first call of an endpoint pays for JIT; the statements below run for only 1.5 s.
        await fixture.Api.GetOkAsync("/api/monitoring/slow-queries");
        var plain = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(1.5) /* plain slow statement */");
        var password = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(1.5), 'hunter2' AS password");
        var token = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(1.5), 'eyJhbGciOi' AS refresh_token");
        var longText = await fixture.RunInOtherSessionAsync($"SELECT pg_sleep(1.5), '{filler}' AS filler");
        var sessions = new[] { plain, password, token, longText };
        try
        {
            // The longest duration seen per pid, and the text shown for it, while the statements run.
            var seen = new Dictionary<int, (decimal DurationMs, string Query)>();
            var all = Task.WhenAll(sessions.Select(s => s.Running));
            while (!all.IsCompleted)
            {
                var body = await fixture.Api.GetOkAsync("/api/monitoring/slow-queries?minDurationMs=100");
                foreach (var item in body.GetProperty("items").EnumerateArray())
                {
                    var pid = item.GetProperty("pid").GetInt32();
                    var duration = item.GetProperty("durationMs").GetDecimal();
                    if (!seen.TryGetValue(pid, out var before) || before.DurationMs < duration)
                    {
                        seen[pid] = (duration, item.GetProperty("query").GetString()!);
                    }
                }

                await Task.Delay(50);
            }

            await all;
            Assert.True(seen.ContainsKey(plain.Pid), $"the plain statement (pid {plain.Pid}) never showed: {JsonSerializer.Serialize(seen)}");
            Assert.InRange(seen[plain.Pid].DurationMs, 300m, 5000m);
            Assert.Contains("plain slow statement", seen[plain.Pid].Query);
            Assert.Equal(Redacted, seen[password.Pid].Query);
            Assert.Equal(Redacted, seen[token.Pid].Query);
            Assert.DoesNotContain("hunter2", JsonSerializer.Serialize(seen));
            var truncated = seen[longText.Pid].Query;
            Assert.True(truncated.Length <= 500, $"{truncated.Length} characters shown");
            Assert.EndsWith("...", truncated);
            Assert.StartsWith("SELECT pg_sleep(1.5)", truncated);
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.Connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Min_duration_filters_out_shorter_statements()
    {
        var running = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(1.5) /* filtered statement */");
        try
        {
            await Task.Delay(250);
            var body = await fixture.Api.GetOkAsync("/api/monitoring/slow-queries?minDurationMs=60000");
            Assert.DoesNotContain(body.GetProperty("items").EnumerateArray(), item => item.GetProperty("pid").GetInt32() == running.Pid);
            await running.Running;
        }
        finally
        {
            await running.Connection.DisposeAsync();
        }
    }
}
