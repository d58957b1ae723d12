using WedSync.Api.OperatorConsole;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Console;

/// <summary>
/// Issue 27: a vendor member got a 403 on the Referrals page while the API let them invite and read their own
/// referrals. For every demo role, each console page (and each section the API keeps for some roles) opens
/// exactly when the API it shows answers 200 to the same person's token: a page neither refuses what the
/// API allows nor shows what it refuses.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ConsolePageApiAgreementTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    /// <summary>A page, the GET of the API it shows, and a marker only its data renders.</summary>
    private static readonly (string Page, string Api, string Marker)[] Pages =
    [
        ("/console/referrals", "/api/referrals/stats", "data-testid=\"referral-stats\""),
        ("/console/advisor", "/api/monitoring/advisor", "data-testid=\"accepted-findings\""),
        ("/console/migrations", "/api/migrations", "<table"),
        ("/console/tables", "/api/monitoring/tables", "<table"),
    ];

    /// <summary>Sections of the Referrals page the API keeps for some roles, and the GET each shows.</summary>
    private static readonly (string Api, string Marker)[] ReferralSections =
    [
        ("/api/referrals/analytics", "data-testid=\"referral-daily\""),
        ("/api/referrals/cohorts", "data-testid=\"referral-cohorts\""),
        ("/api/referrals/reviews", "data-testid=\"review-queue\""),
        ("/api/referrals?pageSize=50", "data-testid=\"referral-list\""),
        ("/api/referrals/rewards", "data-testid=\"reward-states\""),
        ("/api/referrals/leaderboard", "leaderboard-title"),
    ];

    public static TheoryData<string> Roles => new()
    {
        DemoSignIn.OperatorEmail,
        "owner@evergreen.test",
        "admin@evergreen.test",
        "member@evergreen.test",
        "viewer@evergreen.test",
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Each_page_and_section_opens_exactly_when_the_API_it_shows_answers_the_same_person(string email)
    {
        var token = TestTokens.For(ConsolePages.UserId(email), [.. DemoSignIn.RolesOf(email)]);
        var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, email);
        try
        {
            foreach (var (path, api, marker) in Pages)
            {
                var apiStatus = await StatusAsync(api, token);
                var (pageStatus, html) = await ConsolePages.OpenAsync(page, path);
                Assert.True(apiStatus == pageStatus, $"{email}: GET {api} answers {apiStatus}, {path} answers {pageStatus}");
                if (pageStatus != 200)
                {
                    Assert.DoesNotContain(marker, html, StringComparison.Ordinal);
                    continue;
                }

                if (path != "/console/referrals")
                {
                    continue;
                }

                await page.Locator("[data-testid=\"referral-stats\"]").WaitForAsync();
                html = await page.ContentAsync();
                Assert.Contains("data-testid=\"referral-invite\"", html, StringComparison.Ordinal);
                foreach (var (sectionApi, sectionMarker) in ReferralSections)
                {
                    var sectionStatus = await StatusAsync(sectionApi, token);
                    Assert.True(sectionStatus is 200 or 403, $"{email}: GET {sectionApi} answers {sectionStatus}");
                    Assert.True(html.Contains(sectionMarker, StringComparison.Ordinal) == (sectionStatus == 200),
                        $"{email}: GET {sectionApi} answers {sectionStatus}, the page {(sectionStatus == 200 ? "lacks" : "shows")} {sectionMarker}");
                }
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private async Task<int> StatusAsync(string path, string token)
    {
        using var response = await fixture.Api.GetAsync(path, token);
        return (int)response.StatusCode;
    }
}
