using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Console;

/// <summary>
/// The operator console in a real browser: who may open which page (403 with no data otherwise),
/// resolving an event, the Referrals numbers against the API, and an axe scan of every page.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsoleBrowserTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const string Operator = "ops@wedsync.test";
    private const string OrgOwner = "owner@evergreen.test";
    private const string OrgAdmin = "admin@evergreen.test";
    private const string OrgMember = "member@evergreen.test";
    private const string OrgViewer = "viewer@evergreen.test";

    /// <summary>Markers that only a page's data section renders: a 403 page must contain none of them.</summary>
    private static readonly Dictionary<string, string> DataMarkers = new()
    {
        ["/console"] = "data-testid=\"health-score\"",
        ["/console/events"] = "data-event-id",
        ["/console/advisor"] = "data-testid=\"accepted-findings\"",
        ["/console/referrals"] = "data-testid=\"referral-stats\"",
    };

    private Uri Api => fixture.Api.BaseAddress!;

    public static TheoryData<string, bool, bool> Roles => new()
    {
        // email, may open the platform pages (Overview, Events), may open Referrals
        { Operator, true, true },
        { OrgOwner, false, true },
        { OrgAdmin, false, true },
        // A vendor member or viewer invites and sees their own referrals, as POST /api/referrals allows them (issue 27).
        { OrgMember, false, true },
        { OrgViewer, false, true },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Each_demo_role_opens_its_pages_and_gets_a_403_without_data_elsewhere(string email, bool platform, bool referrals)
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, email);
        try
        {
            var expected = new Dictionary<string, bool>
            {
                ["/console"] = platform,
                ["/console/advisor"] = platform,
                ["/console/events"] = platform,
                ["/console/referrals"] = referrals,
            };
            foreach (var (path, allowed) in expected)
            {
                var (status, html) = await ConsolePages.OpenAsync(page, path);
                if (path == "/console" && !platform && referrals)
                {
                    // The landing page follows the role: an organization admin lands on Referrals.
                    Assert.True(status == 200, $"{email} {path}: {status}");
                    Assert.EndsWith("/console/referrals", page.Url, StringComparison.Ordinal);
                    Assert.DoesNotContain(DataMarkers[path], html, StringComparison.Ordinal);
                }
                else if (allowed)
                {
                    Assert.True(status == 200, $"{email} {path}: {status}");
                    if (path != "/console/events")
                    {
                        // Overview streams its data in; Events may be empty: its filter form is the page.
                        await page.Locator(DataMarkers[path].Replace("data-testid=\"", "[data-testid=\"", StringComparison.Ordinal) + "]").WaitForAsync();
                    }
                }
                else
                {
                    Assert.True(status == 403, $"{email} {path}: {status}");
                    Assert.Contains("403", html, StringComparison.Ordinal);
                    Assert.DoesNotContain(DataMarkers[path], html, StringComparison.Ordinal);
                    if (path == "/console/referrals")
                    {
                        // Nor the organization's series and channels, nor anyone's referrals.
                        foreach (var marker in new[] { "referral-chart", "top-channels", "data-referral-id" })
                        {
                            Assert.DoesNotContain(marker, html, StringComparison.Ordinal);
                        }
                    }
                }
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Theory]
    [InlineData(OrgOwner, new[] { "/console/referrals" })]
    [InlineData(OrgMember, new[] { "/console/referrals" })]
    [InlineData(Operator, new[] { "/console", "/console/advisor", "/console/referrals" })]
    public async Task A_person_signing_in_lands_on_a_page_of_their_role_and_sees_only_links_they_may_open(string email, string[] someLinks)
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, email);
        try
        {
            var links = await page.Locator("nav.console-nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");

            Assert.All(someLinks, link => Assert.Contains(link, links));
            if (email != Operator)
            {
                Assert.Equal(someLinks, links);
            }

            if (links.Length > 0)
            {
                var (landing, _) = await ConsolePages.OpenAsync(page, "/console");
                Assert.True(landing == 200, $"{email} lands on {page.Url}: {landing}");
            }

            foreach (var link in links)
            {
                var (status, _) = await ConsolePages.OpenAsync(page, link);
                Assert.True(status == 200, $"{email} {link}: {status}");
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_dashboard_link_on_the_api_resource_leads_to_the_console()
    {
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState("api", out var api));
        var link = Assert.Single(api.Snapshot.Urls, url => url.DisplayProperties.DisplayName == "Console");
        Assert.EndsWith("/console", link.Url, StringComparison.Ordinal);

        var context = await browser.Browser.NewContextAsync();
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(link.Url);
            await page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Sign in" }).WaitForAsync();
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact]
    public async Task A_page_opened_without_signing_in_leads_to_the_sign_in_page()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Api.ToString() });
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/console/events");
            Assert.Contains("/console/signin", page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain("data-event-id", await page.ContentAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact]
    public async Task Resolving_an_event_on_the_Events_page_removes_it_from_the_open_list()
    {
        var id = await InsertOpenEventAsync();
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            await page.GotoAsync("/console/events?state=open&severity=low&type=performance_alert");
            var row = page.Locator($"tr[data-event-id=\"{id}\"]");
            await row.GetByLabel("Note").FillAsync("checked by the console test");
            await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Resolve" }).ClickAsync();
            await page.GetByRole(AriaRole.Status).Filter(new LocatorFilterOptions { HasText = "Event resolved." }).WaitForAsync();
            Assert.Equal(0, await row.CountAsync());

            await using var connection = fixture.OpenDatabase();
            await using var command = new NpgsqlCommand("SELECT resolution_notes FROM monitoring_events WHERE id = @id AND resolved_at IS NOT NULL", connection);
            command.Parameters.AddWithValue("id", id);
            Assert.Equal("checked by the console test", await command.ExecuteScalarAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task An_event_recorded_over_the_API_appears_on_Overview_without_a_reload()
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            await page.GotoAsync("/console");
            await page.Locator("[data-testid=\"health-score\"]").WaitForAsync();
            // A full reload would drop this; the live update patches the page in place.
            await page.EvaluateAsync("() => window.__sameDocument = true");
            await Task.Delay(500); // the EventSource connects after the page's scripts ran

            using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
                new { eventType = "performance_alert", severity = "low", eventData = new { source = "console live test" } });
            var body = await created.Content.ReadAsStringAsync();
            Assert.True((int)created.StatusCode == 201, body);
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();

            // The issue asks for 2 s; the bound here is wider so a loaded CI machine cannot make it flaky.
            await page.Locator($"[data-open-event=\"{id}\"]").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
            Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));

            // Low and resolved again: the collection's other tests see the score they expect.
            using var resolved = await fixture.Api.PostJsonAsync($"/api/monitoring/events/{id}/resolve", MonitoringCalls.AdminToken, new { resolutionNotes = "console live test" });
            Assert.Equal(System.Net.HttpStatusCode.OK, resolved.StatusCode);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_Advisor_page_shows_accepted_exceptions_apart_from_the_findings()
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        try
        {
            await page.GotoAsync("/console/advisor");
            // monitoring_signal_backend's SECURITY DEFINER is accepted in the catalog, with its reason.
            var accepted = page.GetByTestId("accepted-findings");
            await accepted.GetByText("monitoring_signal_backend").First.WaitForAsync();
            Assert.Contains("pg_signal_backend", await accepted.InnerTextAsync(), StringComparison.Ordinal);
            foreach (var level in new[] { "error", "warn", "info" })
            {
                Assert.DoesNotContain("monitoring_signal_backend", await page.Locator($"section[data-level=\"{level}\"]").InnerTextAsync(), StringComparison.Ordinal);
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_Referrals_page_shows_the_numbers_of_GET_api_referrals_stats()
    {
        using var response = await fixture.Api.GetAsync("/api/referrals/stats", TestTokens.For(ConsolePages.UserId(OrgOwner)));
        response.EnsureSuccessStatusCode();
        var stats = await response.Content.ReadFromJsonAsync<JsonElement>();

        var page = await ConsolePages.SignInAsync(browser.Browser, Api, OrgOwner);
        try
        {
            await page.GotoAsync("/console/referrals");
            foreach (var name in new[] { "totalReferrals", "successfulReferrals", "viralCoefficient", "tier" })
            {
                var shown = (await page.Locator($"[data-stat=\"{name}\"]").TextContentAsync())!.Trim();
                var expected = stats.GetProperty(name);
                Assert.Equal(expected.ValueKind == JsonValueKind.String ? expected.GetString() : expected.GetRawText(), shown);
            }

            foreach (var name in new[] { "pendingRewards", "earnedRewards" })
            {
                Assert.Equal(stats.GetProperty(name).GetRawText(), await page.Locator($"[data-stat=\"{name}\"]").GetAttributeAsync("data-cents"));
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsolePages.DocsPath("console-referrals.png"), FullPage = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_Referrals_page_shows_the_daily_chart_top_channels_and_referrals_of_the_API()
    {
        var token = TestTokens.For(ConsolePages.UserId(OrgOwner));
        var page = await ConsolePages.SignInAsync(browser.Browser, Api, OrgOwner);
        try
        {
            await page.GotoAsync("/console/referrals");

            // The chart: an SVG drawn on the server, with its text alternative and the days as a table.
            var chart = page.GetByTestId("referral-chart");
            Assert.True(await chart.Locator("svg").CountAsync() >= 1, "no svg in the chart");
            var image = chart.Locator("[role=\"img\"]");
            var description = await image.GetAttributeAsync("aria-label");
            Assert.False(string.IsNullOrWhiteSpace(description));
            Assert.Contains("Invites, clicks and conversions per UTC day", description, StringComparison.Ordinal);
            Assert.Equal(description, (await chart.Locator("figcaption").TextContentAsync())!.Trim());

            // The page's days, asked of the API for the same days: a run across UTC midnight compares like with like.
            var days = await page.GetByTestId("referral-daily-table").Locator("tbody tr").AllAsync();
            var shownDays = new List<(string Day, string Invites, string Clicks, string Conversions)>();
            foreach (var row in days)
            {
                var cells = await row.Locator("th, td").AllTextContentsAsync();
                shownDays.Add((cells[0].Trim(), cells[1].Trim(), cells[2].Trim(), cells[3].Trim()));
            }

            Assert.NotEmpty(shownDays);
            using var analyticsResponse = await fixture.Api.GetAsync(
                $"/api/referrals/analytics?from={shownDays[0].Day}&to={shownDays[^1].Day}", token);
            analyticsResponse.EnsureSuccessStatusCode();
            var analytics = await analyticsResponse.Content.ReadFromJsonAsync<JsonElement>();
            var apiDays = analytics.GetProperty("daily").EnumerateArray()
                .Select(d => (d.GetProperty("date").GetString()!, d.GetProperty("invites").GetRawText(), d.GetProperty("clicks").GetRawText(), d.GetProperty("conversions").GetRawText()))
                .ToList();
            Assert.Equal(30, apiDays.Count);
            Assert.Equal(apiDays, shownDays);
            foreach (var total in new[] { "invites", "clicks", "conversions" })
            {
                var sum = analytics.GetProperty("daily").EnumerateArray().Sum(d => d.GetProperty(total).GetInt64());
                Assert.Contains($"{sum} {total}", description, StringComparison.Ordinal);
            }

            // Top channels: the analytics' list, in its order (the demo data shares over five channels).
            var apiChannels = analytics.GetProperty("topChannels").EnumerateArray()
                .Select(c => (c.GetProperty("shareType").GetString()!, c.GetProperty("platform").GetString() ?? "(any)", c.GetProperty("shares").GetRawText()))
                .ToList();
            Assert.NotEmpty(apiChannels);
            var shownChannels = new List<(string, string, string)>();
            foreach (var row in await page.GetByTestId("top-channels").Locator("tbody tr").AllAsync())
            {
                var cells = await row.Locator("td").AllTextContentsAsync();
                shownChannels.Add((cells[0].Trim(), cells[1].Trim(), cells[2].Trim()));
            }

            Assert.Equal(apiChannels, shownChannels);

            // The referral list: the newest 50 of GET /api/referrals, same rows, mailboxes and states, in order.
            using var listResponse = await fixture.Api.GetAsync("/api/referrals?pageSize=50", token);
            listResponse.EnsureSuccessStatusCode();
            var list = await listResponse.Content.ReadFromJsonAsync<JsonElement>();
            var apiReferrals = list.GetProperty("items").EnumerateArray()
                .Select(r => (r.GetProperty("id").GetString()!, r.GetProperty("referredEmail").GetString()!, r.GetProperty("status").GetString()!))
                .ToList();
            Assert.NotEmpty(apiReferrals);
            var shownReferrals = new List<(string, string, string)>();
            foreach (var row in await page.GetByTestId("referral-list").Locator("tr[data-referral-id]").AllAsync())
            {
                shownReferrals.Add(((await row.GetAttributeAsync("data-referral-id"))!,
                    (await row.Locator("td").First.TextContentAsync())!.Trim(),
                    (await row.GetAttributeAsync("data-state"))!));
            }

            Assert.Equal(apiReferrals, shownReferrals);
            Assert.Contains($"of {list.GetProperty("total").GetRawText()}", await page.GetByTestId("referral-list").Locator("caption").TextContentAsync(), StringComparison.Ordinal);
            // Created times go through LocalTime: the UTC time on hover.
            Assert.EndsWith("UTC", await page.GetByTestId("referral-list").Locator("time").First.GetAttributeAsync("title"), StringComparison.Ordinal);

            // The page with data (the operator's scan below sees the empty states).
            var problems = new List<string>();
            await ScanAsync(page, "/console/referrals (owner)", problems);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Every_page_passes_an_axe_scan_without_serious_or_critical_violations()
    {
        var anonymous = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Api.ToString() });
        var admin = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        var member = await ConsolePages.SignInAsync(browser.Browser, Api, OrgMember);
        try
        {
            var signIn = await anonymous.NewPageAsync();
            await signIn.GotoAsync("/console/signin");
            var problems = new List<string>();
            await ScanAsync(signIn, "/console/signin", problems);
            foreach (var path in new[] { "/console", "/console/advisor", "/console/events", "/console/referrals" })
            {
                await admin.GotoAsync(path);
                if (path == "/console")
                {
                    await admin.Locator("[data-testid=\"health-score\"]").WaitForAsync();
                    await admin.ScreenshotAsync(new PageScreenshotOptions { Path = ConsolePages.DocsPath("console-overview.png"), FullPage = true });
                }

                await ScanAsync(admin, path, problems);
            }

            // The 403 page is a page too.
            await member.GotoAsync("/console");
            await ScanAsync(member, "/console (403)", problems);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            await anonymous.CloseAsync();
            await admin.Context.CloseAsync();
            await member.Context.CloseAsync();
        }
    }

    private static async Task ScanAsync(IPage page, string name, List<string> problems)
    {
        var result = await page.RunAxe();
        problems.AddRange(result.Violations
            .Where(violation => violation.Impact is "serious" or "critical")
            .Select(violation => $"{name}: {violation.Id} ({violation.Impact}) {violation.Help}: {string.Join(", ", violation.Nodes.Select(node => node.Html))}"));
    }

    private async Task<Guid> InsertOpenEventAsync()
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand(
            "INSERT INTO monitoring_events (event_type, severity, event_data) VALUES ('performance_alert', 'low', '{\"source\": \"console test\"}') RETURNING id", connection);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
