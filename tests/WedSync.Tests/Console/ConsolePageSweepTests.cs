using System.Text.Json;
using Microsoft.Playwright;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Console;

/// <summary>
/// Issue 28, "the console fits each role": every page each role can reach loads with no JavaScript error,
/// no failed request and no Content-Security-Policy violation, and at 390 and 1400 px no page scrolls
/// sideways and every chart scales to its column.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsolePageSweepTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const string Operator = "ops@wedsync.test";

    /// <summary>Every element wider than the viewport, and every drawing's box against its viewBox.</summary>
    private const string MeasureLayout = """
        () => {
          const root = document.documentElement;
          const width = root.clientWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .slice(-6)
            .map(e => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`);
          const charts = [...document.querySelectorAll('main svg')].map(s => {
            const box = s.getBoundingClientRect();
            const view = s.viewBox && s.viewBox.baseVal;
            return { width: box.width, height: box.height, right: box.right, viewWidth: view ? view.width : 0, viewHeight: view ? view.height : 0 };
          });
          return { scrollWidth: root.scrollWidth, clientWidth: width, wide, charts };
        }
        """;

    private Uri Api => fixture.Api.BaseAddress!;

    public static TheoryData<string> Roles => new()
    {
        "", // nobody signed in: the sign-in page
        Operator,
        "owner@evergreen.test",
        "admin@evergreen.test",
        "member@evergreen.test",
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Every_page_a_role_reaches_loads_without_a_console_error_a_failed_request_or_a_policy_violation(string email)
    {
        var page = email.Length == 0 ? await AnonymousAsync(1280) : await ConsolePages.SignInAsync(browser.Browser, Api, email);
        try
        {
            var watch = await ConsolePageWatch.StartAsync(page);
            if (email.Length == 0)
            {
                await watch.OpenAsync("/console/signin");
            }
            else
            {
                var links = await NavigationLinksAsync(page);
                // The landing page: a page of the role, or a 403 for a member who may open none.
                await watch.OpenAsync("/console", links.Length == 0 ? 403 : 200);
                foreach (var link in links)
                {
                    await watch.OpenAsync(link);
                }

                // A role with one page (a vendor) has no other to navigate to: a click on the open page's own link only races its load.
                if (links.Length > 1)
                {
                    // Enhanced navigation (a click, no reload) between the role's pages.
                    await page.Locator($"nav.console-nav a[href=\"{links[^1]}\"]").ClickAsync();
                    await page.WaitForURLAsync(url => url.EndsWith(links[^1], StringComparison.Ordinal));
                }
            }

            Assert.True(watch.Problems.Count == 0, string.Join("\n", watch.Problems));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Theory]
    [InlineData(390)]
    [InlineData(1400)]
    public async Task No_page_scrolls_sideways_and_every_chart_scales_to_the_width_at(int width)
    {
        // A long unbroken statement on Events, as a real slow query may have.
        var statement = "SELECT " + string.Join(",", Enumerable.Range(0, 40).Select(i => $"very_long_column_name_number_{i}")) + " FROM wide_table";
        var id = await RecordEventAsync(new { query = statement, durationMs = 12_345 });
        var anonymous = await AnonymousAsync(width);
        var admin = await ConsolePages.SignInAsync(browser.Browser, Api, Operator);
        var member = await ConsolePages.SignInAsync(browser.Browser, Api, "member@evergreen.test");
        try
        {
            await admin.SetViewportSizeAsync(width, 900);
            await member.SetViewportSizeAsync(width, 900);
            var problems = new List<string>();
            var charts = 0;
            await anonymous.GotoAsync("/console/signin");
            charts += await MeasureAsync(anonymous, "/console/signin", problems);
            await member.GotoAsync("/console");
            charts += await MeasureAsync(member, "/console (403)", problems);

            // Referrals' own content is tested with its page; its chart scales by the same ScalableSvg.
            var pages = (await NavigationLinksAsync(admin)).Where(link => link != "/console/referrals").Append("/console/events?state=all").ToList();
            Assert.Contains("/console/advisor", pages);
            foreach (var path in pages)
            {
                await admin.GotoAsync(path);
                if (path == "/console")
                {
                    // Overview streams its sparklines in.
                    await admin.Locator("[data-testid=\"health-score\"]").WaitForAsync();
                }

                charts += await MeasureAsync(admin, path, problems);
                if (path is "/console" or "/console/advisor" or "/console/events?state=all")
                {
                    var name = path == "/console" ? "overview" : path.Split('/', '?')[2];
                    await admin.ScreenshotAsync(new PageScreenshotOptions { Path = ConsolePages.DocsPath($"console-{name}-{width}.png"), FullPage = true });
                }
            }

            Assert.True(problems.Count == 0, string.Join("\n", problems));
            // Overview's sparklines at least: the chart checks above had something to check.
            Assert.True(charts > 0, "no chart was measured");
        }
        finally
        {
            await ResolveAsync(id);
            await anonymous.Context.CloseAsync();
            await admin.Context.CloseAsync();
            await member.Context.CloseAsync();
        }
    }

    private static async Task<int> MeasureAsync(IPage page, string name, List<string> problems)
    {
        var layout = await page.EvaluateAsync<JsonElement>(MeasureLayout);
        var clientWidth = layout.GetProperty("clientWidth").GetDouble();
        var scrollWidth = layout.GetProperty("scrollWidth").GetDouble();
        if (scrollWidth > clientWidth)
        {
            problems.Add($"{name}: scrolls sideways ({scrollWidth} > {clientWidth}); widest: {string.Join(", ", layout.GetProperty("wide").EnumerateArray())}");
        }

        var charts = layout.GetProperty("charts").EnumerateArray().ToList();
        foreach (var chart in charts)
        {
            var (width, height) = (chart.GetProperty("width").GetDouble(), chart.GetProperty("height").GetDouble());
            var (viewWidth, viewHeight) = (chart.GetProperty("viewWidth").GetDouble(), chart.GetProperty("viewHeight").GetDouble());
            if (viewWidth <= 0 || viewHeight <= 0)
            {
                problems.Add($"{name}: a chart has no viewBox, so it is cropped instead of scaled ({width}x{height})");
                continue;
            }

            // Not wider than the page, and drawn in its own proportions (not cropped to a strip).
            if (chart.GetProperty("right").GetDouble() > clientWidth + 1 || width <= 0
                || Math.Abs((height / width) - (viewHeight / viewWidth)) > 0.05 * (viewHeight / viewWidth))
            {
                problems.Add($"{name}: a {viewWidth}x{viewHeight} chart is drawn {width:F0}x{height:F0} in a {clientWidth} px page");
            }
        }

        return charts.Count;
    }

    private async Task<IPage> AnonymousAsync(int width)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Api.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    private static Task<string[]> NavigationLinksAsync(IPage page) =>
        page.Locator("nav.console-nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");

    private async Task<Guid> RecordEventAsync(object data)
    {
        using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
            new { eventType = "slow_query", severity = "low", eventData = data });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True((int)created.StatusCode == 201, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>Low and resolved again: the collection's other tests see the score they expect.</summary>
    private async Task ResolveAsync(Guid id)
    {
        using var resolved = await fixture.Api.PostJsonAsync($"/api/monitoring/events/{id}/resolve", MonitoringCalls.AdminToken, new { resolutionNotes = "console layout test" });
        Assert.Equal(System.Net.HttpStatusCode.OK, resolved.StatusCode);
    }
}
