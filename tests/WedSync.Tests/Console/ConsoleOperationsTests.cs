using System.Globalization;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Referrals;
using Xunit.Abstractions;

namespace WedSync.Tests.Console;

/// <summary>
/// The operator's pages for a bad moment: Queries (a statement a workload ran, with its history chart),
/// Locks (a blocked session, released by cancelling its blocker after a confirmation, audited with the
/// admin), a slow query appearing on Overview by itself, the gauges' sparklines; each page axe-scanned,
/// and a 403 without data for everyone but platform admins.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsoleOperationsTests(AppHostFixture fixture, ConsoleBrowserFixture browser, ITestOutputHelper output) : IClassFixture<ConsoleBrowserFixture>
{
    private const string Operator = "ops@wedsync.test";

    /// <summary>What only the data part of each page renders; a 403 page holds none of it.</summary>
    private static readonly Dictionary<string, string> DataMarkers = new()
    {
        ["/console/queries"] = "id=\"top-title\"",
        ["/console/locks"] = "id=\"tree-title\"",
        ["/console/wait-events"] = "id=\"orgs-title\"",
    };

    private Uri Api => fixture.Api.BaseAddress!;

    public static TheoryData<string> OtherRoles => new()
    {
        "owner@evergreen.test", "admin@evergreen.test", "member@evergreen.test", "viewer@evergreen.test", "owner@lakeside.test",
    };

    [Fact]
    public async Task A_platform_admin_opens_Queries_and_Locks()
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            foreach (var (path, marker) in DataMarkers)
            {
                var (status, html) = await ConsolePages.OpenAsync(page, path);
                Assert.True(status == 200, $"{path}: {status}");
                Assert.Contains(marker, html, StringComparison.Ordinal);
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Theory]
    [MemberData(nameof(OtherRoles))]
    public async Task Other_roles_get_a_403_without_data_on_Queries_and_Locks(string email)
    {
        // A statement and a blocked session exist, so there is data the page could leak.
        var key = Random.Shared.NextInt64(1, long.MaxValue);
        var (_, blocker, blockerConnection) = await fixture.RunInOtherSessionAsync($"SELECT pg_advisory_xact_lock({key}), pg_sleep(30)");
        await using var _ = blockerConnection;
        await WaitUntilHoldingAsync(key);
        var (waiterPid, waiter, waiterConnection) = await fixture.RunInOtherSessionAsync($"SELECT pg_advisory_xact_lock({key})");
        await using var __ = waiterConnection;
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, email);
        try
        {
            foreach (var (path, marker) in DataMarkers)
            {
                var (status, html) = await ConsolePages.OpenAsync(page, path);
                Assert.True(status == 403, $"{email} {path}: {status}");
                Assert.Contains("403", html, StringComparison.Ordinal);
                Assert.DoesNotContain(marker, html, StringComparison.Ordinal);
                Assert.DoesNotContain($"data-pid=\"{waiterPid}\"", html, StringComparison.Ordinal);
                Assert.DoesNotContain("pg_advisory_xact_lock", html, StringComparison.Ordinal);
            }

            // Opening the pages signalled nothing.
            Assert.False(blocker.IsCompleted);
        }
        finally
        {
            await page.Context.CloseAsync();
            await CancelAsync(blockerConnection.ProcessID);
            await Task.WhenAll(Quietly(blocker), Quietly(waiter));
        }
    }

    [Fact]
    public async Task The_Queries_page_shows_a_statement_a_workload_ran_and_its_history_chart()
    {
        // A workload of its own: an alias no other statement has, so its text is recognisable once normalized.
        await using (var connection = fixture.OpenDatabase())
        {
            for (var i = 0; i < 3; i++)
            {
                await using var run = new NpgsqlCommand("SELECT pg_sleep(0.1) FROM (VALUES (1)) AS console_queries_probe(n)", connection);
                await run.ExecuteNonQueryAsync();
            }

            // What the history sampler does every Monitoring:QueryHistoryInterval (5 minutes on this fixture).
            await using var capture = new NpgsqlCommand("SELECT monitoring_history.capture_queries(5000)", connection);
            await capture.ExecuteScalarAsync();
        }

        var queryId = (long)(await fixture.ExecuteAsync(
            "SELECT queryid FROM monitoring_history.query_texts WHERE query LIKE '%console_queries_probe%' LIMIT 1"))!;
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            await page.GotoAsync("/console/queries?hours=1&order=totalTime");
            var row = page.Locator($"tr[data-query-id=\"{queryId}\"]");
            Assert.Contains("console_queries_probe", await row.InnerTextAsync(), StringComparison.Ordinal);

            await row.GetByRole(AriaRole.Link).ClickAsync();
            var chart = page.GetByTestId("history-chart");
            await chart.Locator("svg").WaitForAsync();
            var description = await chart.Locator("[role=img]").GetAttributeAsync("aria-label");
            Assert.Contains("Mean time per call", description, StringComparison.Ordinal);
            Assert.Contains("3 calls", await chart.Locator("figcaption").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains(queryId.ToString(CultureInfo.InvariantCulture), page.Url, StringComparison.Ordinal);

            await AssertAccessibleAsync(page, "/console/queries (with a chart)");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_Locks_page_shows_a_blocked_session_and_cancelling_its_blocker_after_confirming_releases_it()
    {
        var key = Random.Shared.NextInt64(1, long.MaxValue);
        // A pooled connection keeps its backend, so an earlier test may have signalled this pid: only this test's audit events count.
        DateTimeOffset since;
        await using (var clock = fixture.OpenDatabase())
        await using (var now = new NpgsqlCommand("SELECT clock_timestamp()", clock))
        {
            since = new DateTimeOffset((DateTime)(await now.ExecuteScalarAsync())!);
        }

        // One statement holding an advisory lock: cancelling it ends its transaction and frees the lock.
        var (blockerPid, blocker, blockerConnection) = await fixture.RunInOtherSessionAsync($"SELECT pg_advisory_xact_lock({key}), pg_sleep(60)");
        await using var _ = blockerConnection;
        await WaitUntilHoldingAsync(key);
        var (waiterPid, waiter, waiterConnection) = await fixture.RunInOtherSessionAsync($"SELECT pg_advisory_xact_lock({key})");
        await using var __ = waiterConnection;

        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            // The page shows the tree as it is when loaded: look again until the waiter is seen waiting.
            // The tree's rows: the running-now list below shows the same sessions again.
            var waiting = page.Locator($"[data-testid=blocking-tree] tr[data-pid=\"{waiterPid}\"] [data-blocked-by]");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            do
            {
                await page.GotoAsync("/console/locks");
            }
            while (await waiting.CountAsync() == 0 && DateTime.UtcNow < deadline);
            Assert.Equal(blockerPid.ToString(CultureInfo.InvariantCulture), await waiting.GetAttributeAsync("data-blocked-by"));
            var blockerRow = page.Locator($"[data-testid=blocking-tree] tr[data-pid=\"{blockerPid}\"]");
            Assert.Equal("true", await blockerRow.GetAttributeAsync("data-root"));
            await AssertAccessibleAsync(page, "/console/locks");

            await blockerRow.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Cancel session {blockerPid}", Exact = true }).ClickAsync();
            var confirm = page.GetByTestId("confirm-signal");
            await confirm.WaitForAsync();
            // Asking is not acting: nothing is signalled before the confirmation.
            Assert.False(blocker.IsCompleted);
            Assert.False(waiter.IsCompleted);
            await AssertAccessibleAsync(page, "/console/locks (confirmation)");

            await confirm.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Yes, cancel session {blockerPid}" }).ClickAsync();
            await page.GetByTestId("signal-result").Filter(new LocatorFilterOptions { HasText = "statement cancelled" }).WaitForAsync();

            // The waiter gets its lock and finishes; the blocker's statement ended with 57014 (query_canceled).
            await waiter.WaitAsync(TimeSpan.FromSeconds(30));
            var cancelled = await Assert.ThrowsAnyAsync<PostgresException>(() => blocker.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);

            // The audit event names the admin who signed in to the console, as the API's would.
            await using var connection = fixture.OpenDatabase();
            await using var read = new NpgsqlCommand("""
                SELECT event_data::text, user_id FROM monitoring_events
                WHERE event_data->>'action' = 'session_cancel' AND (event_data->>'pid')::int = @pid AND resolved_at IS NOT NULL
                  AND created_at >= @since
                """, connection);
            read.Parameters.AddWithValue("pid", blockerPid);
            read.Parameters.AddWithValue("since", since);
            await using var reader = await read.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), "no audit event");
            var audit = JsonDocument.Parse(reader.GetString(0)).RootElement;
            var admin = ConsolePages.UserId(Operator);
            Assert.Equal(admin, reader.GetGuid(1));
            Assert.Equal(admin, audit.GetProperty("actor").GetProperty("userId").GetGuid());
            Assert.Equal(Operator, audit.GetProperty("actor").GetProperty("email").GetString());
            Assert.False(await reader.ReadAsync(), "one confirmation, one signal");
        }
        finally
        {
            await page.Context.CloseAsync();
            await CancelAsync(blockerPid);
            await Task.WhenAll(Quietly(blocker), Quietly(waiter));
        }
    }

    [Fact]
    public async Task The_Locks_page_lists_a_lone_running_query_and_cancels_it_after_confirming_terminate_only_asks()
    {
        var (pid, running, connection) = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(60) /* lone runaway */");
        await using var _ = connection;
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            // It blocks nobody, so only the running-now list has it: look again until it is seen.
            var row = page.Locator($"[data-testid=running-now] tr[data-pid=\"{pid}\"]");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            do
            {
                await page.GotoAsync("/console/locks");
            }
            while (await row.CountAsync() == 0 && DateTime.UtcNow < deadline);
            Assert.Equal("client", await row.GetAttributeAsync("data-kind"));
            Assert.Contains("lone runaway", await row.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator($"[data-testid=blocking-tree] tr[data-pid=\"{pid}\"]").CountAsync());
            await AssertAccessibleAsync(page, "/console/locks (running now)");

            // Terminate asks first, and asking is not acting.
            await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Terminate session {pid}", Exact = true }).ClickAsync();
            var confirm = page.GetByTestId("confirm-signal");
            await confirm.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Yes, terminate session {pid}" }).WaitForAsync();
            Assert.False(running.IsCompleted, "asking to terminate signalled the session");

            await page.GotoAsync("/console/locks");
            await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Cancel session {pid}", Exact = true }).ClickAsync();
            await confirm.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Yes, cancel session {pid}" }).ClickAsync();
            await page.GetByTestId("signal-result").Filter(new LocatorFilterOptions { HasText = "statement cancelled" }).WaitForAsync();
            var cancelled = await Assert.ThrowsAnyAsync<PostgresException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(PostgresErrorCodes.QueryCanceled, cancelled.SqlState);
        }
        finally
        {
            await page.Context.CloseAsync();
            await CancelAsync(pid);
            await Quietly(running);
        }
    }

    /// <summary>
    /// The issue's "within 2 s" is measured, not asserted (a loaded machine stretches any wall time): the
    /// latencies from the moment the statement crossed the threshold by the server's clock (its query_start
    /// plus the threshold) to the event's created_at and to the row appearing in the page are written to
    /// the test output. Asserted: the row appears in the same document (no reload), the event was not
    /// recorded before the statement was slow, and once the statement ends the row leaves the page, still
    /// without a reload (the resolution is announced like a new event).
    /// </summary>
    [Fact]
    public async Task A_slow_query_started_in_another_session_appears_on_Overview_without_a_reload_within_2_s()
    {
        var threshold = new MonitoringOptions().SlowQueryEventThreshold;
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        int? pid = null;
        Task? running = null;
        NpgsqlConnection? connection = null;
        try
        {
            await page.GotoAsync("/console");
            await page.Locator("[data-testid=\"health-score\"]").WaitForAsync();
            await page.Locator("html[data-live-connected=\"true\"]").WaitForAsync();
            // When each open event's row first appears (browser clock), and a flag a full reload would drop.
            await page.EvaluateAsync("""
                () => {
                    window.__sameDocument = true;
                    window.__seen = {};
                    const note = () => {
                        for (const el of document.querySelectorAll('[data-open-event]')) {
                            const id = el.getAttribute('data-open-event');
                            if (!(id in window.__seen)) window.__seen[id] = Date.now();
                        }
                    };
                    note();
                    new MutationObserver(note).observe(document.documentElement, { childList: true, subtree: true });
                }
                """);

            (pid, running, connection) = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(60) AS console_slow_probe");
            var startedAt = await QueryStartAsync(pid.Value);
            var crossing = startedAt + threshold;

            var (eventId, createdAt) = await WaitForSlowQueryEventAsync(pid.Value);
            var row = page.Locator($"[data-open-event=\"{eventId}\"]");
            await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
            Assert.Contains("slow_query", await row.InnerTextAsync(), StringComparison.Ordinal);

            // Not before the statement was slow, by the server's clock (the event's own timestamp).
            Assert.True(createdAt >= crossing, $"event recorded at {createdAt:O}, before the crossing at {crossing:O}");
            var seenMs = await page.EvaluateAsync<double>($"() => window.__seen['{eventId}']");
            var seenAt = DateTimeOffset.FromUnixTimeMilliseconds((long)seenMs);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"slow query pid {pid}: crossed {crossing:O}; event recorded +{(createdAt - crossing).TotalMilliseconds:F0} ms; shown on Overview +{(seenAt - crossing).TotalMilliseconds:F0} ms"));
            // The issue's bound, from the moment the statement became slow by the server's clock to the row in
            // the browser (one machine, one clock); typically 100-350 ms here on a loaded machine.
            Assert.True(seenAt - crossing <= TimeSpan.FromSeconds(2),
                $"shown on Overview {(seenAt - crossing).TotalMilliseconds:F0} ms after the statement crossed the slow-query threshold");

            // The statement ends: the next sample resolves its event, and the row leaves the page by itself too.
            await CancelAsync(pid.Value);
            await row.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = 60_000 });
            Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
        }
        finally
        {
            await page.Context.CloseAsync();
            if (pid is { } p)
            {
                await CancelAsync(p);
                await Quietly(running!);
                await connection!.DisposeAsync();
                // The next sample resolves the condition: the collection's other tests see no open slow_query of this one.
                await MonitoringCalls.PollAsync(
                    () => fixture.ExecuteAsync("SELECT count(*) FROM monitoring_events WHERE starts_with(condition_key, @key) AND resolved_at IS NULL", ("key", $"slow_query:pid:{p}:")),
                    open => open is 0L, TimeSpan.FromSeconds(60));
            }
        }
    }

    [Fact]
    public async Task Overview_shows_the_seven_gauges_as_sparklines_with_a_text_alternative()
    {
        // The sampler stores the gauges at its first tick (then every Monitoring:GaugeHistoryInterval).
        var stored = await MonitoringCalls.PollAsync(
            () => fixture.ExecuteAsync("SELECT count(*) FROM monitoring_history.gauge_samples"), n => n is > 0L, TimeSpan.FromSeconds(60));
        Assert.True(stored is > 0L, "no gauge sample stored");
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            await page.GotoAsync("/console");
            var gauges = page.GetByTestId("gauges").Locator("li[data-gauge]");
            await gauges.First.WaitForAsync();
            Assert.Equal(7, await gauges.CountAsync());
            foreach (var gauge in await gauges.AllAsync())
            {
                Assert.Equal(1, await gauge.Locator("svg").CountAsync());
                var description = await gauge.Locator("[role=img]").GetAttributeAsync("aria-label");
                Assert.Matches(@"over the last \d+ hours, \d+ samples: lowest .+, highest .+, now .+\.", description);
            }

            var latestScore = await fixture.ExecuteAsync("SELECT health_score FROM monitoring_history.gauge_samples ORDER BY sampled_at DESC LIMIT 1");
            Assert.Contains("now ", await page.Locator("li[data-gauge=\"health_score\"] [role=img]").GetAttributeAsync("aria-label"), StringComparison.Ordinal);
            Assert.NotNull(latestScore);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        var problems = result.Violations
            .Where(violation => violation.Impact is "serious" or "critical")
            .Select(violation => $"{name}: {violation.Id} ({violation.Impact}) {violation.Help}: {string.Join(", ", violation.Nodes.Select(node => node.Html))}")
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private async Task<DateTimeOffset> QueryStartAsync(int pid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var start = await fixture.ExecuteAsync(
                "SELECT query_start FROM pg_stat_activity WHERE pid = @pid AND state = 'active' AND query LIKE '%console_slow_probe%'", ("pid", pid));
            if (start is DateTime at)
            {
                return new DateTimeOffset(at, TimeSpan.Zero);
            }

            Assert.True(DateTime.UtcNow < deadline, "the slow statement never showed as active");
            await Task.Delay(50);
        }
    }

    private async Task<(Guid Id, DateTimeOffset CreatedAt)> WaitForSlowQueryEventAsync(int pid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await using (var connection = fixture.OpenDatabase())
            await using (var read = new NpgsqlCommand(
                "SELECT id, created_at FROM monitoring_events WHERE starts_with(condition_key, @key) AND resolved_at IS NULL", connection))
            {
                read.Parameters.AddWithValue("key", $"slow_query:pid:{pid}:");
                await using var reader = await read.ExecuteReaderAsync();
                if (await reader.ReadAsync())
                {
                    return (reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1));
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "no slow_query event within 60 s of starting the statement");
            await Task.Delay(50);
        }
    }

    private async Task WaitUntilHoldingAsync(long key)
    {
        await MonitoringCalls.PollAsync(
            () => fixture.ExecuteAsync(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = @key", ("key", key)),
            n => n is 1L, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
    }

    private async Task CancelAsync(int pid) =>
        await fixture.ExecuteAsync("SELECT pg_cancel_backend(@pid)", ("pid", pid));

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception exception) when (exception is PostgresException or NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // Cancelled on purpose (or already done): only the clean-up's wait.
        }
    }
}
