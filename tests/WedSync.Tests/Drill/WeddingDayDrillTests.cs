using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Console;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Monitoring.Alerts;
using Xunit.Abstractions;

namespace WedSync.Tests.Drill;

/// <summary>
/// The wedding-day drill (issue 22): a scripted incident sequence against the real product with the
/// production sampler interval (15 s). Per incident: onset to event, to each severity raise, to each
/// webhook; the p99 of the monitoring endpoints during it against their calm p99; missed and duplicated
/// deliveries. Writes bench/out/drill.md; asserts nothing is missed or duplicated and every incident is seen.
/// </summary>
public sealed class WeddingDayDrillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan High = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Critical = TimeSpan.FromSeconds(30);
    private static readonly string[] Paths =
    [
        "/api/monitoring/summary", "/api/monitoring/advisor", "/api/monitoring/tables", "/api/monitoring/locks",
        "/api/monitoring/connections", "/api/monitoring/slow-queries", "/api/monitoring/events?pageSize=20",
        "/console", "/console/locks", "/console/events", "/console/wait-events", "/console/tables", "/console/advisor", "/console/queries",
    ];

    // Lock waits are raised by how many sessions wait (DrillFixture sets these).
    private const int WaitersHigh = 4;
    private const int WaitersCritical = 6;

    private static TimeSpan Hold => TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("DRILL_HOLD_SECONDS"), out var s) ? s : 60);

    [DrillFact]
    public async Task Wedding_day_drill()
    {
        var fixture = new DrillFixture();
        await fixture.InitializeAsync();
        await using var receiver = new WebhookReceiver().Start();
        try
        {
            var admin = MonitoringCalls.AdminToken;
            using (var subscribe = await fixture.Api.SendAsync(Json(HttpMethod.Post, "/api/monitoring/alert-subscriptions", admin,
                new { url = receiver.Url, minimumSeverity = "medium" })))
            {
                Assert.True(subscribe.IsSuccessStatusCode, await subscribe.Content.ReadAsStringAsync());
            }

            await using var watch = fixture.OpenDatabase();
            await Exec(watch, "DROP ROLE IF EXISTS drill_client; CREATE ROLE drill_client LOGIN PASSWORD 'drill'");
            var report = new StringBuilder();
            var console = await ConsoleCookieAsync(fixture);
            var calm = await ProbeAsync(fixture, admin, console, TimeSpan.FromSeconds(15), _ => Task.CompletedTask);
            report.AppendLine(CultureInfo.InvariantCulture, $"Calm: {Describe(calm)}\n");
            var rows = new List<string>();

            rows.Add(await IncidentAsync("table lock held (ACCESS EXCLUSIVE on organizations, 3 readers queued)", "lock_wait:", fixture, watch, receiver, admin, console, calm, async stop =>
            {
                await using var holder = fixture.OpenDatabase();
                await Exec(holder, "BEGIN; LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE");
                var readers = Enumerable.Range(0, 3).Select(_ => fixture.RunInOtherSessionAsync("SELECT count(*) FROM organizations")).ToArray();
                await Task.Delay(Hold, CancellationToken.None);
                await Exec(holder, "ROLLBACK");
                foreach (var reader in await Task.WhenAll(readers))
                {
                    await reader.Running;
                    await reader.Connection.DisposeAsync();
                }
            }));

            rows.Add(await IncidentAsync("runaway query (pg_sleep, blocks nobody)", "slow_query:", fixture, watch, receiver, admin, console, calm, async stop =>
            {
                var runaway = await fixture.RunInOtherSessionAsync($"SELECT pg_sleep({(int)Hold.TotalSeconds})");
                await runaway.Running;
                await runaway.Connection.DisposeAsync();
            }));

            rows.Add(await IncidentAsync("prepared transaction left open, holding a lock a reader waits on", "lock_wait:", fixture, watch, receiver, admin, console, calm, async stop =>
            {
                await using (var preparer = fixture.OpenDatabase())
                {
                    await Exec(preparer, "BEGIN; LOCK TABLE referrals IN SHARE MODE; PREPARE TRANSACTION 'wedding-drill'");
                }

                var writer = await fixture.RunInOtherSessionAsync("BEGIN; LOCK TABLE referrals IN EXCLUSIVE MODE; COMMIT");
                await Task.Delay(Hold / 2, CancellationToken.None);
                await Exec(watch, "ROLLBACK PREPARED 'wedding-drill'");
                await writer.Running;
                await writer.Connection.DisposeAsync();
            }));

            rows.Add(await IncidentAsync("blocked ALTER queueing readers (idle transaction holds ACCESS SHARE)", "lock_wait:", fixture, watch, receiver, admin, console, calm, async stop =>
            {
                await using var idle = fixture.OpenDatabase();
                await Exec(idle, "BEGIN; SELECT 1 FROM referrals LIMIT 1");
                var alter = await fixture.RunInOtherSessionAsync("ALTER TABLE referrals ADD COLUMN IF NOT EXISTS drill_note text");
                var readers = new List<(int Pid, Task Running, NpgsqlConnection Connection)>();
                for (var i = 0; i < 6; i++)
                {
                    readers.Add(await fixture.RunInOtherSessionAsync("SELECT count(*) FROM referrals"));
                    await Task.Delay(Hold / 12, CancellationToken.None);
                }

                await Task.Delay(Hold / 2, CancellationToken.None);
                await Exec(idle, "ROLLBACK");
                foreach (var session in readers.Append(alter))
                {
                    await session.Running;
                    await session.Connection.DisposeAsync();
                }

                await Exec(watch, "ALTER TABLE referrals DROP COLUMN IF EXISTS drill_note");
            }));

            rows.Add(await IncidentAsync("burst of slow statements (5 × 4 s back to back on one connection)", "slow_query:", fixture, watch, receiver, admin, console, calm, async stop =>
            {
                await using var connection = fixture.OpenDatabase();
                for (var i = 0; i < 5; i++)
                {
                    await Exec(connection, "SELECT pg_sleep(4)");
                }
            }));

            rows.Add(await IncidentAsync("connection exhaustion by a client role", "connections:", fixture, watch, receiver, admin, console, calm, async stop =>
            {
                var hogs = new List<NpgsqlConnection>();
                try
                {
                    while (true)
                    {
                        var hog = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString)
                        { Username = "drill_client", Password = "drill", Pooling = false, ApplicationName = "drill-hog" }.ConnectionString);
                        try
                        {
                            await hog.OpenAsync();
                        }
                        catch (PostgresException)
                        {
                            await hog.DisposeAsync();
                            break;
                        }

                        hogs.Add(hog);
                    }

                    await Task.Delay(Hold / 2, CancellationToken.None);
                }
                finally
                {
                    foreach (var hog in hogs)
                    {
                        await hog.DisposeAsync();
                    }
                }
            }));

            rows.Add(await IncidentAsync("pg_stat_statements_reset() mid-day", null, fixture, watch, receiver, admin, console, calm, async stop =>
            {
                await Exec(watch, """
                    DO $$ BEGIN EXECUTE format('SELECT %I.pg_stat_statements_reset()', (SELECT n.nspname FROM pg_extension e
                        JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements')); END $$
                    """);
                await Task.Delay(TimeSpan.FromSeconds(20), CancellationToken.None);
            }));

            var table = new StringBuilder()
                .AppendLine("| incident | events | onset→event (s, after threshold) | raises (s after crossing) | webhooks (s after DB time) | missed | duplicated | endpoints p99 ms (calm p99) | non-2xx |")
                .AppendLine("|---|---|---|---|---|---|---|---|---|");
            rows.ForEach(row => table.AppendLine(row));
            var text = report.Append(table).ToString();
            output.WriteLine(text);
            var file = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(new Projects.Api().ProjectPath)!)!, "bench", "out", "drill.md");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, text);
            Assert.DoesNotContain("| MISSING |", text, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private async Task<string> IncidentAsync(
        string name, string? conditionPrefix, DrillFixture fixture, NpgsqlConnection watch, WebhookReceiver receiver, string admin,
        string console, IReadOnlyList<EndpointProbe.Sample> calm, Func<CancellationToken, Task> incident)
    {
        var onset = await DbNow(watch);
        var deliveredBefore = receiver.Received.Count;
        await using var eyes = fixture.OpenDatabase();
        await using var watcher = new IncidentWatch(eyes);
        watcher.Start();
        var samples = await ProbeAsync(fixture, admin, console, null, incident);
        await watcher.StopAsync();
        // Deliveries of the last raise and of the resolution take a moment after the incident ends.
        await Task.Delay(TimeSpan.FromSeconds(4));
        output.WriteLine($"{name}: done");
        if (conditionPrefix is null)
        {
            return $"| {name} | – | – | – | – | – | – | {Describe(samples, calm)} | {NonSuccess(samples)} |";
        }

        var events = await EventsSince(watch, conditionPrefix, onset);
        if (events.Count == 0)
        {
            return $"| {name} | MISSING | – | – | – | – | – | {Describe(samples, calm)} | {NonSuccess(samples)} |";
        }

        var deliveries = receiver.Received.Skip(deliveredBefore).Select(Delivery).Where(d => d.Id is not null).ToList();
        var detection = new List<double>();
        var raises = new List<double>();
        var webhook = new List<double>();
        var (missed, duplicated, unknown) = (0, 0, 0);
        foreach (var e in events)
        {
            for (var i = 0; i < e.Levels.Count; i++)
            {
                var (severity, at, data) = e.Levels[i];
                var crossing = Crossing(e, severity, at, data, watcher);
                output.WriteLine($"  {e.ConditionKey} {severity} at {at:HH:mm:ss.fff}, crossed {crossing:HH:mm:ss.fff}: {data.GetRawText()}");
                if (crossing is { } c)
                {
                    (i == 0 ? detection : raises).Add((at - c).TotalSeconds);
                }
                else
                {
                    unknown++;
                }

                if (severity is "low")
                {
                    continue;
                }

                var got = deliveries.Where(d => d.Id == e.Id && d.Severity == severity).ToList();
                missed += got.Count == 0 ? 1 : 0;
                duplicated += Math.Max(0, got.Count - 1);
                webhook.AddRange(got.Take(1).Select(d => (d.At - at.UtcDateTime).TotalSeconds));
            }
        }

        return $"| {name} | {events.Count} ({string.Join(", ", events.Select(e => string.Join("→", e.Levels.Select(l => l.Severity))))}) | {Range(detection)}{(unknown > 0 ? $" ({unknown} crossing unknown)" : "")} | {Range(raises)} | {Range(webhook)} | {missed} | {duplicated} | {Describe(samples, calm)} | {NonSuccess(samples)} |";
    }

    private static async Task<IReadOnlyList<EndpointProbe.Sample>> ProbeAsync(
        DrillFixture fixture, string admin, string console, TimeSpan? length, Func<CancellationToken, Task> incident)
    {
        using var stop = new CancellationTokenSource();
        var probe = new EndpointProbe(fixture.Api, admin, console, Paths).RunAsync(stop.Token);
        try
        {
            await (length is { } l ? Task.Delay(l) : incident(stop.Token));
        }
        finally
        {
            stop.Cancel();
        }

        return await probe;
    }

    private sealed record DrillEvent(Guid Id, string ConditionKey, DateTimeOffset CreatedAt, List<(string Severity, DateTimeOffset At, JsonElement Data)> Levels);

    /// <summary>
    /// When the condition really crossed the rung of <paramref name="severity"/>, by the server's clock: a
    /// statement's start plus the rung; an idle spell's length read with the level; the first waiter's
    /// wait plus the rung, or the n-th waiter's start, whichever came first; connection use as the
    /// drill's own watcher saw it. Null when the drill cannot know.
    /// </summary>
    private static DateTimeOffset? Crossing(DrillEvent e, string severity, DateTimeOffset at, JsonElement data, IncidentWatch watcher)
    {
        var rung = severity switch { "high" => High, "critical" => Critical, _ => Threshold };
        var kind = e.ConditionKey[..(e.ConditionKey.IndexOf(':', StringComparison.Ordinal) + 1)];
        switch (kind)
        {
            case "slow_query:":
                return data.GetProperty("queryStart").GetDateTimeOffset() + rung;
            case "idle_in_transaction:":
                return at - (TimeSpan.FromMilliseconds(data.GetProperty("idleMs").GetDouble()) - rung);
            case "lock_wait:":
                var blocker = data.GetProperty("blockerPid").GetInt32();
                var byTime = watcher.WaitLasted(blocker, rung);
                var byCount = severity switch
                {
                    "high" => watcher.WaitersReached(blocker, WaitersHigh),
                    "critical" => watcher.WaitersReached(blocker, WaitersCritical),
                    _ => null,
                };
                return byTime is null ? byCount : byCount is null ? byTime : byTime < byCount ? byTime : byCount;
            case "connections:":
                return watcher.ConnectionsReached(severity == "critical" ? 95 : 80);
            default:
                return null;
        }
    }

    private static async Task<List<DrillEvent>> EventsSince(NpgsqlConnection watch, string prefix, DateTimeOffset onset)
    {
        await using var command = new NpgsqlCommand("""
            SELECT id, created_at, severity, severity_history::text, event_data::text, condition_key
            FROM monitoring_events
            WHERE condition_key LIKE $1 || '%' AND created_at >= $2
            ORDER BY created_at
            """, watch)
        { Parameters = { new() { Value = prefix }, new() { Value = onset } } };
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<DrillEvent>();
        while (await reader.ReadAsync())
        {
            var created = reader.GetFieldValue<DateTimeOffset>(1);
            var levels = new List<(string, DateTimeOffset, JsonElement)>();
            if (!reader.IsDBNull(3))
            {
                using var history = JsonDocument.Parse(reader.GetString(3));
                levels.AddRange(history.RootElement.EnumerateArray().Select(h =>
                    (h.GetProperty("severity").GetString()!, h.GetProperty("at").GetDateTimeOffset(), h.GetProperty("eventData").Clone())));
            }

            if (levels.Count == 0)
            {
                using var data = JsonDocument.Parse(reader.GetString(4));
                levels.Add((reader.GetString(2), created, data.RootElement.Clone()));
            }

            events.Add(new DrillEvent(reader.GetGuid(0), reader.GetString(5), created, levels));
        }

        return events;
    }

    private static (Guid? Id, string? Severity, DateTime At) Delivery(ReceivedWebhook hook)
    {
        try
        {
            using var body = JsonDocument.Parse(hook.Body);
            var data = body.RootElement.GetProperty("data");
            return (data.GetProperty("id").GetGuid(), data.GetProperty("severity").GetString(), hook.ReceivedAtUtc);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return (null, null, hook.ReceivedAtUtc);
        }
    }

    private static string Describe(IReadOnlyList<EndpointProbe.Sample> samples, IReadOnlyList<EndpointProbe.Sample>? calm = null) =>
        string.Join("; ", samples.GroupBy(s => s.Path).Select(g =>
        {
            var p99 = EndpointProbe.P99(g.Select(s => s.Ms));
            var calmP99 = calm is null ? (double?)null : EndpointProbe.P99(calm.Where(c => c.Path == g.Key).Select(c => c.Ms));
            var path = g.Key.Replace("/api/monitoring/", "", StringComparison.Ordinal).Split('?')[0];
            return calmP99 is { } c ? $"{path} {p99:0} ({c:0})" : $"{path} {p99:0}";
        }));

    private static string NonSuccess(IReadOnlyList<EndpointProbe.Sample> samples) =>
        samples.Count(s => s.Status is < 200 or > 299) is var n and > 0
            ? $"{n}/{samples.Count}: {string.Join(", ", samples.Where(s => s.Status is < 200 or > 299).GroupBy(s => s.Status).Select(g => $"{g.Key}×{g.Count()}"))}"
            : $"0/{samples.Count}";

    private static string Range(List<double> values) =>
        values.Count == 0 ? "–" : values.Count == 1 ? $"{values[0]:0.00}" : $"{values.Min():0.00}…{values.Max():0.00} (n={values.Count})";

    /// <summary>An operator's console session (signed in once in a real browser), as a Cookie header.</summary>
    private static async Task<string> ConsoleCookieAsync(DrillFixture fixture)
    {
        var browser = new ConsoleBrowserFixture();
        await browser.InitializeAsync();
        try
        {
            var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, "ops@wedsync.test");
            var cookies = await page.Context.CookiesAsync();
            return string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}"));
        }
        finally
        {
            await browser.DisposeAsync();
        }
    }

    private static async Task<DateTimeOffset> DbNow(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection);
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!);
    }

    private static async Task Exec(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, string token, object body)
    {
        var request = ApiCalls.Request(method, path, token);
        request.Content = JsonContent.Create(body);
        return request;
    }

    /// <summary>The app with production's sampler interval (15 s) and short severity ladders, so raises happen inside the drill.</summary>
    private sealed class DrillFixture : AppHostFixture
    {
        protected override void Configure(IDistributedApplicationTestingBuilder builder)
        {
            var api = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api");
            api.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
            {
                // The drill measures the endpoints, not the per-user limiter its own polling would trip.
                env["RateLimiting__PermitsPerMinute"] = "1000000";
                env["Monitoring__SampleInterval"] = "00:00:15";
                env["Monitoring__SlowQueryEventThreshold"] = Threshold.ToString();
                env["Monitoring__SlowQueryHighThreshold"] = High.ToString();
                env["Monitoring__SlowQueryCriticalThreshold"] = Critical.ToString();
                env["Monitoring__LockWaitersHigh"] = WaitersHigh.ToString(CultureInfo.InvariantCulture);
                env["Monitoring__LockWaitersCritical"] = WaitersCritical.ToString(CultureInfo.InvariantCulture);
            }));
        }
    }
}
