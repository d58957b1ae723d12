using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using WedSync.Migrations.Catalog;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;
using WedSync.Tests.Migrator.Drift;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Console;

/// <summary>
/// The Tables and RLS page and the Migrations pages in a real browser: a relation that breaks tenant
/// isolation turns Overview's score card and the RLS page red (and clearing it turns them back), the
/// Migrations page lists every request of the manifest with the API's state, only platform admins may
/// open them (403 with no data otherwise), axe finds nothing serious, and a phone-wide screen works.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsoleTablesAndMigrationsTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const string Operator = "ops@wedsync.test";

    /// <summary>How long the sampler (a tick every 2 s in tests) and the 15 s result cache may take on a saturated machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Markers only the pages' data sections render: a 403 page must contain none of them.</summary>
    private static readonly Dictionary<string, string[]> DataMarkers = new()
    {
        ["/console/tables"] = ["data-testid=\"rls-risks\"", "data-testid=\"table-health\"", "data-relation=", "data-table="],
        ["/console/migrations"] = ["data-testid=\"migration-requests\"", "data-request=", "data-file=", "data-testid=\"schema-drift\"", "data-testid=\"migration-plan\""],
        ["/console/migrations/WS-154"] = ["data-testid=\"migration-impact\"", "data-file="],
    };

    private Uri Api => fixture.Api.BaseAddress!;

    public static TheoryData<string, bool> Roles => new()
    {
        { Operator, true },
        { "owner@evergreen.test", false },
        { "admin@evergreen.test", false },
        { "member@evergreen.test", false },
        { "viewer@evergreen.test", false },
    };

    /// <summary>
    /// Two instances of one fault kind, a relation the request role reaches without row-level security:
    /// a table created without it (the issue's example) and a view that runs with its owner's rights.
    /// </summary>
    public static TheoryData<string, string> RlsHoles => new()
    {
        { "table", "CREATE TABLE {0} (id uuid PRIMARY KEY, organization_id uuid NOT NULL)" },
        { "view", "CREATE VIEW {0} AS SELECT id, name FROM organizations; GRANT SELECT ON {0} TO wedsync_user" },
    };

    [Theory]
    [MemberData(nameof(RlsHoles))]
    public async Task A_relation_without_RLS_turns_the_score_and_the_RLS_page_red(string kind, string createSql)
    {
        var name = $"console_rls_{kind}_{Guid.NewGuid():N}"[..40];
        var qualified = $"public.{name}";
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            var before = await HealthOnOverviewAsync(page);
            await fixture.ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, createSql, name));

            // Overview: the summary is reused up to 15 s and the sampler hands in a new one every tick.
            // Other conditions may make the card critical already: wait for the RLS reason itself.
            var (health, alarm) = await PollPageAsync(page, "/console", () => AlarmOnOverviewAsync(page),
                shown => shown.Health == "critical" && shown.Alarm.Contains(RlsReason, StringComparison.Ordinal));
            Assert.Equal("critical", health);
            Assert.Contains(RlsReason, alarm, StringComparison.Ordinal);
            Assert.Equal(Red, await ColorAsync(page.GetByTestId("health-score")));

            // The RLS page reads the catalog on every load: red at once.
            await page.GotoAsync("/console/tables");
            var risks = page.GetByTestId("rls-risks");
            Assert.Equal("high", await risks.GetAttributeAsync("data-risk"));
            var row = page.Locator($"tr[data-relation=\"{qualified}\"]");
            Assert.Equal("HIGH", await row.GetAttributeAsync("data-risk-level"));
            Assert.Equal(Red, await ColorAsync(row.Locator(".risk")));
            Assert.Equal(Red, await ColorAsync(page.GetByTestId("rls-alarm")));

            // The sampler's event for it, so that clearing below waits for its resolution too.
            Assert.NotNull(await MonitoringCalls.PollAsync(() => OpenEventAsync(qualified), id => id is not null, Patience));

            await fixture.ExecuteAsync($"DROP {kind.ToUpperInvariant()} {name}");
            Assert.Null(await MonitoringCalls.PollAsync(() => OpenEventAsync(qualified), id => id is null, Patience));
            await page.GotoAsync("/console/tables");
            Assert.Equal(0, await page.Locator($"tr[data-relation=\"{qualified}\"]").CountAsync());
            if (before != "critical")
            {
                // Not necessarily "before": other events may have opened or closed meanwhile; only ours was critical.
                Assert.NotEqual("critical", await PollPageAsync(page, "/console", () => HealthOnOverviewAsync(page), h => h != "critical"));
            }
        }
        finally
        {
            await page.Context.CloseAsync();
            await fixture.ExecuteAsync($"DROP {kind.ToUpperInvariant()} IF EXISTS {name}");
            // The collection's other tests compare health scores: leave no open event of ours behind.
            await MonitoringCalls.PollAsync(() => OpenEventAsync(qualified), id => id is null, Patience);
        }
    }

    [Fact]
    public async Task The_Migrations_page_shows_every_request_of_the_manifest_with_its_state()
    {
        await using var manifestFile = File.OpenRead(ManifestPath());
        var manifest = RequestManifest.Parse(manifestFile, ManifestPath());
        var report = await MigrationsReportAsync();
        var requests = report.GetProperty("requests").EnumerateArray().ToDictionary(r => r.GetProperty("requestId").GetString()!);

        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            await page.GotoAsync("/console/migrations");
            var rows = page.Locator("tr[data-request]");
            await rows.First.WaitForAsync();
            Assert.Equal(manifest.Entries.Select(e => e.Id).Order(StringComparer.Ordinal).ToList(),
                (await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.getAttribute('data-request'))")).ToList());
            foreach (var entry in manifest.Entries)
            {
                var row = page.Locator($"tr[data-request=\"{entry.Id}\"]");
                Assert.True(requests.TryGetValue(entry.Id, out var api), $"GET /api/migrations has no {entry.Id}");
                var requested = entry.Requested?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

                // Title and request date: the manifest's, as the API reports them.
                Assert.Equal(entry.Title, StringOrNull(api, "title"));
                Assert.Equal(requested, StringOrNull(api, "requested"));
                Assert.Equal(entry.Title ?? "", await row.GetAttributeAsync("data-title") ?? "");
                Assert.Equal(entry.Title ?? "—", (await row.Locator("td[data-label=\"Title\"]").InnerTextAsync()).Trim());
                Assert.Equal(requested ?? "", await row.GetAttributeAsync("data-requested") ?? "");
                Assert.Equal(requested ?? "—", (await row.Locator("td[data-label=\"Requested\"]").InnerTextAsync()).Trim());

                // State, applied (this run / before / not applied) and whether the files exist: the API's words.
                var state = api.GetProperty("state").GetString();
                Assert.Equal(state, await row.GetAttributeAsync("data-state"));
                Assert.Equal(state, (await row.Locator("td[data-label=\"State\"] .state").InnerTextAsync()).Trim());
                var applied = api.GetProperty("applied").GetString();
                Assert.Equal(applied, await row.GetAttributeAsync("data-applied"));
                Assert.Equal(applied, (await row.Locator(".applied").InnerTextAsync()).Trim());
                Assert.Equal(api.GetProperty("filesExist").GetBoolean() ? "true" : "false", await row.GetAttributeAsync("data-files-exist"));

                // Files in the manifest's order, each with the API's per-script state.
                Assert.Equal(entry.Scripts, (await row.Locator("li[data-file]").EvaluateAllAsync<string[]>("items => items.map(i => i.getAttribute('data-file'))")).ToList());
                foreach (var script in api.GetProperty("scripts").EnumerateArray())
                {
                    Assert.Equal(script.GetProperty("state").GetString(),
                        await row.Locator($"li[data-file=\"{script.GetProperty("name").GetString()}\"]").GetAttributeAsync("data-file-state"));
                }
            }

            // The plan lists exactly the scripts the report calls pending (none in a fully migrated database: the empty state).
            var pending = report.GetProperty("scripts").EnumerateArray()
                .Where(s => s.GetProperty("state").GetString() == "pending").Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();
            var plan = page.GetByTestId("migration-plan");
            Assert.Equal(pending, (await plan.Locator("[data-plan-script]").EvaluateAllAsync<string[]>("items => items.map(i => i.getAttribute('data-plan-script'))"))
                .Order(StringComparer.Ordinal).ToList());
            Assert.Equal(pending.Count == 0 ? 1 : 0, await plan.GetByTestId("no-pending").CountAsync());

            // Times in the viewer's zone (the context runs in Europe/Berlin), UTC on hover.
            var appliedAt = page.Locator("tr[data-state=\"complete\"] time[data-local-time]").First;
            Assert.EndsWith("UTC", await appliedAt.GetAttributeAsync("title"), StringComparison.Ordinal);
            await Assertions.Expect(appliedAt).Not.ToHaveTextAsync(new System.Text.RegularExpressions.Regex("UTC$"));

            // A request's impact, from its row; for an unknown request the page says what to do.
            await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Impact of WS-154" }).ClickAsync();
            await page.GetByTestId("migration-impact").WaitForAsync();
            Assert.Equal(requests["WS-154"].GetProperty("state").GetString(), (await page.GetByTestId("request-state").InnerTextAsync()).Trim());
            var (status, html) = await ConsolePages.OpenAsync(page, "/console/migrations/WS-999999");
            Assert.Equal(200, status);
            Assert.Contains("Pick one from the list of requests", html, StringComparison.Ordinal);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>
    /// The plan section with something to plan: a database where one script of WS-170 is pending (its journal
    /// row removed after a full migration, so the tables it touches exist with their rows) and an API of its
    /// own on it. The page lists that script and nothing else, under its request, with each statement and
    /// the lock it takes on the existing table and that table's size, as the migrator's <c>plan</c> prints it.
    /// </summary>
    [Fact]
    public async Task The_plan_shows_a_pending_script_with_its_statements_and_the_locks_they_take()
    {
        const string Pending = "20250901800002_ws170_rewards_sums_from_the_index.sql";
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await DriftCalls.UpAsync(database.ConnectionString, "--Migrations:SeedDemoData=true");
        await DriftCalls.ExecuteAsync(database.ConnectionString, $"DELETE FROM wedsync_migrations.journal WHERE script_name = '{Pending}'");
        await using var api = await ApiServer.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            // The console's demo sign-in page exists in Development only.
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        }, requireHealthy: false);

        var page = await ConsolePages.SignInAsync(browser.Browser, api.Address, Operator);
        try
        {
            await page.GotoAsync("/console/migrations");
            var plan = page.GetByTestId("migration-plan");
            await plan.WaitForAsync();
            Assert.Equal(0, await plan.GetByTestId("no-pending").CountAsync());
            Assert.Equal([Pending], await plan.Locator("[data-plan-script]").EvaluateAllAsync<string[]>("items => items.map(i => i.getAttribute('data-plan-script'))"));
            Assert.Equal(["WS-170"], await plan.Locator("[data-plan-request]").EvaluateAllAsync<string[]>("items => items.map(i => i.getAttribute('data-plan-request'))"));
            Assert.Equal("pending", await page.Locator("tr[data-request=\"WS-170\"]").GetAttributeAsync("data-state"));

            // Both statements (build the covering index, drop the old one), each with its lock on the live table.
            var statements = await plan.Locator($"[data-plan-script=\"{Pending}\"] ol > li").AllInnerTextsAsync();
            Assert.Equal(2, statements.Count);
            Assert.Contains("CREATE INDEX CONCURRENTLY", statements[0], StringComparison.OrdinalIgnoreCase);
            Assert.Matches(@"SHARE UPDATE EXCLUSIVE on (public\.)?referral_rewards, [\d,]+ rows, \d+ [kMG]?B", statements[0]);
            Assert.Contains("DROP INDEX CONCURRENTLY", statements[1], StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>
    /// Two hand-made objects outside migrations (a table and an index on it, the issue's example kind) show on
    /// the page as drift, as GET /api/migrations names them, and leave it once dropped. The probe lives in a
    /// schema of its own that the request role cannot reach (no RLS finding, no health change), and the test
    /// asserts only on its own objects: other tests of the shared database make objects by hand too.
    /// </summary>
    [Fact]
    public async Task A_hand_made_index_shows_on_the_Migrations_page_as_drift()
    {
        var schema = $"console_drift_{Guid.NewGuid():N}"[..30];
        var table = $"{schema}.probe";
        var index = $"{schema}.ix_probe_note";
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            await fixture.ExecuteAsync($"CREATE SCHEMA {schema}; CREATE TABLE {table} (id int PRIMARY KEY, note text); CREATE INDEX ix_probe_note ON {table} (note)");

            var api = (await MigrationsReportAsync()).GetProperty("schemaDrift");
            Assert.True(api.GetProperty("drifted").GetBoolean());
            var named = api.GetProperty("objects").EnumerateArray()
                .ToDictionary(o => (o.GetProperty("kind").GetString(), o.GetProperty("name").GetString()), o => o.GetProperty("change").GetString());
            Assert.Equal("added", named[("index", index)]);
            Assert.Equal("added", named[("table", table)]);

            // The page compares the live schema on every load: the drift is there at once.
            await page.GotoAsync("/console/migrations");
            var drift = page.GetByTestId("schema-drift");
            Assert.Equal("true", await drift.GetAttributeAsync("data-drifted"));
            foreach (var (kind, name) in new[] { ("index", index), ("table", table) })
            {
                var row = drift.Locator($"tr[data-object=\"{name}\"][data-kind=\"{kind}\"]");
                Assert.Equal(1, await row.CountAsync());
                Assert.Equal("added", await row.GetAttributeAsync("data-change"));
            }

            Assert.Contains("ix_probe_note", await drift.Locator($"tr[data-object=\"{index}\"] td[data-label=\"Live\"]").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(0, await drift.GetByTestId("no-drift").CountAsync());

            await fixture.ExecuteAsync($"DROP SCHEMA {schema} CASCADE");
            await page.GotoAsync("/console/migrations");
            await page.GetByTestId("schema-drift").WaitForAsync();
            Assert.Equal(0, await page.Locator($"tr[data-object^=\"{schema}.\"]").CountAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
            await fixture.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Only_platform_admins_open_Tables_and_Migrations_others_get_a_403_without_data(string email, bool allowed)
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, email);
        try
        {
            foreach (var (path, markers) in DataMarkers)
            {
                var (status, html) = await ConsolePages.OpenAsync(page, path);
                if (allowed)
                {
                    Assert.True(status == 200, $"{email} {path}: {status}");
                    Assert.Contains(markers[0], html, StringComparison.Ordinal);
                }
                else
                {
                    Assert.True(status == 403, $"{email} {path}: {status}");
                    Assert.Contains("403", html, StringComparison.Ordinal);
                    foreach (var marker in markers)
                    {
                        Assert.DoesNotContain(marker, html, StringComparison.Ordinal);
                    }

                    Assert.DoesNotContain("20250825100000_database_monitoring_views", html, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_new_pages_pass_axe_and_work_on_a_narrow_screen()
    {
        var admin = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        var member = await ConsolePages.SignInAsync(browser.Browser, Api, "member@evergreen.test");
        try
        {
            var problems = new List<string>();
            foreach (var path in DataMarkers.Keys)
            {
                await admin.GotoAsync(path);
                await ScanAsync(admin, path, problems);
                await member.GotoAsync(path);
                await ScanAsync(member, $"{path} (403)", problems);
            }

            // A phone: nothing may widen the page past the screen (wide tables scroll in their card or stack).
            await admin.SetViewportSizeAsync(360, 740);
            foreach (var path in DataMarkers.Keys)
            {
                await admin.GotoAsync(path);
                var overflow = await admin.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a 360 px screen");
                await ScanAsync(admin, $"{path} (360 px)", problems);
            }

            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            await admin.Context.CloseAsync();
            await member.Context.CloseAsync();
        }
    }

    /// <summary>#a4262c, the console's red.</summary>
    private const string Red = "rgb(164, 38, 44)";

    private static Task<string> ColorAsync(ILocator locator) =>
        locator.EvaluateAsync<string>("element => getComputedStyle(element).color");

    /// <summary>The words Overview's alarm uses for relations at HIGH RLS risk (HealthAlarm).</summary>
    private const string RlsReason = "let tenants reach each other's rows";

    private static async Task<(string? Health, string Alarm)> AlarmOnOverviewAsync(IPage page)
    {
        var health = await HealthOnOverviewAsync(page);
        var alarm = page.GetByTestId("health-alarm");
        return (health, await alarm.CountAsync() == 0 ? "" : await alarm.InnerTextAsync());
    }

    private static async Task<string?> HealthOnOverviewAsync(IPage page)
    {
        var score = page.GetByTestId("health-score");
        await score.WaitForAsync();
        return await score.GetAttributeAsync("data-health");
    }

    /// <summary>Opens the page again until what it shows satisfies <paramref name="done"/> or the patience runs out.</summary>
    private static async Task<T> PollPageAsync<T>(IPage page, string path, Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await page.GotoAsync(path);
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<JsonElement> MigrationsReportAsync()
    {
        using var response = await fixture.Api.GetAsync("/api/migrations", MonitoringCalls.AdminToken);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string? StringOrNull(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetString();

    private async Task<Guid?> OpenEventAsync(string qualified) =>
        await fixture.ExecuteAsync(
            "SELECT id FROM monitoring_events WHERE condition_key = @key AND resolved_at IS NULL AND event_type = 'rls_violation'",
            ("key", $"rls:{qualified}")) as Guid?;

    private static string ManifestPath()
    {
        var repository = Path.GetDirectoryName(Path.GetDirectoryName(new Projects.Api().ProjectPath)!)!;
        return Path.Combine(repository, "Migrations", "Catalog", "RequestManifest.json");
    }

    private static async Task ScanAsync(IPage page, string name, List<string> problems)
    {
        var result = await page.RunAxe();
        problems.AddRange(result.Violations
            .Where(violation => violation.Impact is "serious" or "critical")
            .Select(violation => $"{name}: {violation.Id} ({violation.Impact}) {violation.Help}: {string.Join(", ", violation.Nodes.Select(node => node.Html))}"));
    }
}
