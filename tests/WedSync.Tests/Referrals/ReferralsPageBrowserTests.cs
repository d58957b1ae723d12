using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Console;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// The vendor's Referrals page acting in a real chromium, on a phone (390 px) and a desk (1400 px): invite
/// someone (POST /api/referrals's rules), copy the counted share link from the clipboard, and approve a
/// reward from the organization's review queue; no horizontal scroll, no axe violation, no browser error.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralsPageBrowserTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const string Owner = "owner@evergreen.test";

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1400, 900)]
    public async Task A_vendor_invites_copies_the_share_link_and_approves_from_the_review_queue(int width, int height)
    {
        var ownerId = ConsolePages.UserId(Owner);
        var token = TestTokens.For(ownerId);
        var organization = (Guid)(await fixture.ExecuteAsync("SELECT organization_id FROM user_profiles WHERE user_id = @u", ("u", ownerId)))!;
        var before = await fixture.Api.GetAsync("/api/referrals/reward-rules", token).OkJsonAsync();
        // Every amount waits for a person, so the conversion below lands in the review queue.
        await fixture.SetRulesAsync(new { holdDays = 0, autoApproveBelowCents = 0, reviewFlagged = true, clawbackWindowDays = 30, spendCapPeriod = "month" }, token);
        var page = await SignInAsync(width, height);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        try
        {
            await page.GotoAsync("/console/referrals");

            // K factor by cohort month: the cohorts of GET /api/referrals/cohorts (the last 12 UTC months), newest first.
            var cohorts = (await fixture.Api.GetAsync("/api/referrals/cohorts", token).OkJsonAsync()).GetProperty("cohorts").EnumerateArray().ToList();
            var cohortSection = page.GetByTestId("referral-cohorts");
            await cohortSection.WaitForAsync();
            if (cohorts.Any(c => c.GetProperty("referrers").GetInt64() > 0))
            {
                var shown = await cohortSection.Locator("tr[data-month]").EvaluateAllAsync<string[]>(
                    "rows => rows.map(r => r.dataset.month + ' ' + r.querySelector('[data-k]').dataset.k)");
                Assert.Equal(Enumerable.Reverse(cohorts).Select(c => $"{c.GetProperty("month").GetString()} {c.GetProperty("kFactor").GetDecimal().ToString(System.Globalization.CultureInfo.InvariantCulture)}"), shown);
            }

            var invitee = ReferralScenario.NewEmail();

            // Invite: stored by the same code as POST /api/referrals, for the signed-in owner.
            var invite = page.GetByTestId("referral-invite");
            await invite.GetByLabel("Their e-mail").FillAsync(invitee);
            await invite.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Invite" }).ClickAsync();
            await page.GetByTestId("invite-result").WaitForAsync();
            var code = (string)(await fixture.ExecuteAsync(
                "SELECT c.code FROM referrals f JOIN referral_codes c ON c.id = f.referral_code_id WHERE f.referred_email = @e AND f.referrer_user_id = @u",
                ("e", invitee), ("u", ownerId)))!;
            var shareLink = await page.GetByTestId("share-link").InputValueAsync();
            Assert.EndsWith($"/r/{code}", shareLink, StringComparison.Ordinal);

            // Copy: the clipboard holds the counted link.
            await page.GetByTestId("referral-invite").GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Copy link" }).ClickAsync();
            await page.GetByTestId("referral-invite").GetByRole(AriaRole.Status).Filter(new LocatorFilterOptions { HasText = "Copied." }).WaitForAsync();
            Assert.Equal(shareLink, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
            await CheckLayoutAsync(page, width, "after the invitation");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsolePages.DocsPath($"console-referrals-{width}.png"), FullPage = true, Clip = new Clip { X = 0, Y = 0, Width = width, Height = 1600 } });

            // The same person again: the API's first-touch rule answers on the page.
            await invite.GetByLabel("Their e-mail").FillAsync(invitee.ToUpperInvariant());
            await invite.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Invite" }).ClickAsync();
            Assert.Contains("already been referred", await page.GetByTestId("invite-problem").InnerTextAsync(), StringComparison.Ordinal);

            // They sign up: both rewards wait for a person; the referrer's is approved from the queue.
            using var converted = await fixture.Api.PostJsonAsync("/api/referrals/conversions", ReferralScenario.ServiceToken,
                new { referralCode = code, referredUserId = Guid.NewGuid(), @event = "signed_up", occurredAt = DateTimeOffset.UtcNow });
            Assert.True(converted.IsSuccessStatusCode, await converted.Content.ReadAsStringAsync());
            var reward = (Guid)(await fixture.ExecuteAsync(
                "SELECT w.id FROM referral_rewards w JOIN referral_codes c ON c.id = (SELECT referral_code_id FROM referrals WHERE id = w.referral_id) WHERE c.code = @c AND w.side = 'referrer'",
                ("c", code)))!;
            await page.GotoAsync("/console/referrals");
            var rewardRow = page.GetByTestId("reward-states").Locator($"tr[data-reward-id=\"{reward}\"]");
            Assert.Contains("waits for review", await rewardRow.Locator("[data-why]").InnerTextAsync(), StringComparison.Ordinal);
            var queued = page.GetByTestId("review-queue").Locator($"li[data-reward-id=\"{reward}\"]");
            await queued.GetByLabel("Reason").FillAsync($"checked at {width} px");
            await queued.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Approve" }).ClickAsync();
            await page.GetByTestId("review-result").Filter(new LocatorFilterOptions { HasText = "Reward approved" }).WaitForAsync();
            Assert.Equal(0, await page.GetByTestId("review-queue").Locator($"li[data-reward-id=\"{reward}\"]").CountAsync());
            Assert.Equal(1L, await fixture.EntriesAsync(reward, "approved"));
            Assert.Equal($"checked at {width} px", await fixture.ExecuteAsync(
                "SELECT reason FROM referral_reward_ledger WHERE reward_id = @r AND transition = 'approved'", ("r", reward)));
            Assert.Equal("approved", await rewardRow.GetAttributeAsync("data-state"));
            Assert.Contains("awaiting fulfilment", await rewardRow.Locator("[data-why]").InnerTextAsync(), StringComparison.Ordinal);

            // The referee's reward rejected from the queue: nothing of this test stays waiting in the demo organization.
            var refereeReward = (Guid)(await fixture.ExecuteAsync(
                "SELECT w.id FROM referral_rewards w WHERE w.referral_id = (SELECT referral_id FROM referral_rewards WHERE id = @r) AND w.side = 'referee'",
                ("r", reward)))!;
            await page.GetByTestId("review-queue").Locator($"li[data-reward-id=\"{refereeReward}\"]").GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Reject" }).ClickAsync();
            await page.GetByTestId("review-result").Filter(new LocatorFilterOptions { HasText = "Reward rejected" }).WaitForAsync();
            Assert.Equal(1L, await fixture.EntriesAsync(refereeReward, "revoked"));
            await CheckLayoutAsync(page, width, "after the review");
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        finally
        {
            await page.Context.CloseAsync();
            await RestoreRulesAsync(organization, before, token);
        }
    }

    /// <summary>No horizontal scroll at this width and no axe violation of any impact.</summary>
    private static async Task CheckLayoutAsync(IPage page, int width, string when)
    {
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"/console/referrals {when} is {overflow} px wider than a {width} px screen");
        var axe = await page.RunAxe();
        Assert.True(axe.Violations.Length == 0, $"{when}: " + string.Join("\n", axe.Violations.Select(v =>
            $"{v.Id} ({v.Impact}) {v.Help}: {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    /// <summary>Signed in as the demo owner at this screen size, allowed to read the clipboard the page writes.</summary>
    private async Task<IPage> SignInAsync(int width, int height)
    {
        var api = fixture.Api.BaseAddress!;
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = api.ToString(),
            TimezoneId = "Europe/Berlin",
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = api.GetLeftPart(UriPartial.Authority) });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/console/signin");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = Owner }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>The demo organization's rules as they were: other tests of the collection read its referrals.</summary>
    private async Task RestoreRulesAsync(Guid organization, JsonElement before, string token)
    {
        if (before.GetProperty("updatedAt").ValueKind == JsonValueKind.Null)
        {
            await fixture.ExecuteAsync("DELETE FROM referral_reward_rules WHERE organization_id = @o", ("o", organization));
            return;
        }

        await fixture.SetRulesAsync(new
        {
            holdDays = before.GetProperty("holdDays").GetInt32(),
            autoApproveBelowCents = before.GetProperty("autoApproveBelowCents").ValueKind == JsonValueKind.Null ? (int?)null : before.GetProperty("autoApproveBelowCents").GetInt32(),
            reviewFlagged = before.GetProperty("reviewFlagged").GetBoolean(),
            clawbackWindowDays = before.GetProperty("clawbackWindowDays").GetInt32(),
            spendCapCents = before.GetProperty("spendCapCents").ValueKind == JsonValueKind.Null ? (long?)null : before.GetProperty("spendCapCents").GetInt64(),
            spendCapPeriod = before.GetProperty("spendCapPeriod").GetString(),
        }, token);
    }
}
