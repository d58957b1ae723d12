using System.Net;
using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>The viral loop end to end over HTTP: create, share, click, sign up, subscribe.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralLoopTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Create_share_click_signup_subscribe_rewards_both_sides_per_tier_and_shows_in_stats()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        var created = await scenario.ReferOkAsync(owner, ReferralScenario.NewEmail());
        var code = created.GetProperty("referralCode").GetString()!;
        Assert.Matches("^[A-Z0-9]{8}$", code);
        // The link to share is the counted one: following it counts a click, then leads to sign-up.
        Assert.Equal(new Uri(fixture.Api.BaseAddress!, $"/r/{code}").ToString(), created.GetProperty("shareUrl").GetString());
        Assert.Equal("pending", created.GetProperty("status").GetString());

        using var share = await fixture.Api.PostJsonAsync($"/api/referrals/{code.ToLowerInvariant()}/shares", owner.Token(), new { shareType = "social", platform = "instagram" });
        Assert.Equal(HttpStatusCode.Created, share.StatusCode);

        using var noRedirect = WedSync.Tests.Contract.ApiClients.Create(fixture.Api.BaseAddress!);
        using var click = await noRedirect.GetAsync(created.GetProperty("shareUrl").GetString() + "?next=https://evil.example/");
        Assert.Equal(HttpStatusCode.Found, click.StatusCode);
        Assert.EndsWith($"/signup?ref={code}", click.Headers.Location!.ToString());

        var invitee = Guid.NewGuid();
        using var signup = await scenario.ConvertAsync(code, invitee, "signed_up");
        using var subscribe = await scenario.ConvertAsync(code, invitee, "subscribed");
        var subscribed = JsonDocument.Parse(await subscribe.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, signup.StatusCode);
        Assert.Equal(HttpStatusCode.OK, subscribe.StatusCode);
        Assert.Equal("converted", subscribed.GetProperty("status").GetString());
        // Bronze tier: referrer 15.00 on signup and 35.00 on subscription; referee 10.00 and 20.00.
        Assert.Equal(new[] { 1000, 2000, 1500, 3500 }, (int[]?)await fixture.ExecuteAsync(
            """
            SELECT array_agg(r.amount_cents ORDER BY r.side, r.trigger)
            FROM referral_rewards r JOIN referrals x ON x.id = r.referral_id
            WHERE x.organization_id = @org AND r.tier = 'bronze' AND r.status = 'granted'
            """, ("org", scenario.Organization.Id)));
        Assert.Equal(1L, await fixture.ExecuteAsync("SELECT count(*) FROM referral_clicks WHERE organization_id = @org", ("org", scenario.Organization.Id)));

        using var statsResponse = await fixture.Api.GetAsync("/api/referrals/stats", owner.Token());
        var stats = JsonDocument.Parse(await statsResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, stats.GetProperty("totalReferrals").GetInt64());
        Assert.Equal(1, stats.GetProperty("successfulReferrals").GetInt64());
        Assert.Equal(5000, stats.GetProperty("earnedRewards").GetInt64());
        Assert.Equal("bronze", stats.GetProperty("tier").GetString());
        Assert.Equal("silver", stats.GetProperty("nextTier").GetProperty("tier").GetString());

        using var analyticsResponse = await fixture.Api.GetAsync("/api/referrals/analytics", owner.Token());
        var analytics = JsonDocument.Parse(await analyticsResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, analytics.GetProperty("invites").GetInt64());
        Assert.Equal(1, analytics.GetProperty("conversions").GetInt64());
        Assert.Equal("social", analytics.GetProperty("topChannels")[0].GetProperty("shareType").GetString());
    }

    [Fact]
    public async Task Analytics_gives_K_of_0_75_for_250_invites_100_users_and_75_conversions()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var org = scenario.Organization.Id;
        // 100 users in all: the scenario's two plus 98 more.
        await fixture.ExecuteAsync(
            """
            INSERT INTO user_profiles (user_id, organization_id, role, email, display_name)
            SELECT gen_random_uuid(), @org, 'MEMBER', 'k-' || g || '-' || @org || '@test.invalid', 'K member ' || g
            FROM generate_series(1, 98) g
            """, ("org", org));
        await fixture.ExecuteAsync(
            """
            WITH code AS (
                INSERT INTO referral_codes (organization_id, user_id, code)
                VALUES (@org, NULL, upper(substr(md5(@org::text), 1, 12))) RETURNING id
            ), invited AS (
                INSERT INTO referrals (organization_id, referral_code_id, referred_email, created_at)
                SELECT @org, code.id, 'k-invitee-' || g || '-' || @org || '@test.invalid', now() - interval '1 day'
                FROM code, generate_series(1, 250) g
                RETURNING id
            )
            INSERT INTO referral_conversions (organization_id, referral_id, event, occurred_at)
            SELECT @org, id, 'subscribed', now() - interval '1 hour' FROM (SELECT id FROM invited LIMIT 75) c
            """, ("org", org));

        using var response = await fixture.Api.GetAsync("/api/referrals/analytics", scenario.Organization["OWNER"].Token());
        var analytics = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100, analytics.GetProperty("users").GetInt64());
        Assert.Equal(250, analytics.GetProperty("invites").GetInt64());
        Assert.Equal(75, analytics.GetProperty("conversions").GetInt64());
        Assert.Equal(0.75m, analytics.GetProperty("viralCoefficient").GetDecimal());
        Assert.Equal(0.3m, analytics.GetProperty("conversionRate").GetDecimal());
    }

    [Fact]
    public async Task Conversion_granted_once_under_50_parallel_requests()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        var code = created.GetProperty("referralCode").GetString()!;
        var invitee = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow;

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => scenario.ConvertAsync(code, invitee, "subscribed", at)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies, b => JsonDocument.Parse(b).RootElement.GetProperty("alreadyRecorded").GetBoolean() == false);
        Assert.Equal(4L, await fixture.ExecuteAsync(
            "SELECT count(*) FROM referral_rewards WHERE referral_id = @id", ("id", created.GetProperty("referralId").GetGuid())));
        Assert.Equal(1L, await fixture.ExecuteAsync(
            "SELECT count(*) FROM referral_rewards WHERE referral_id = @id AND side = 'referrer' AND trigger = 'subscribed'",
            ("id", created.GetProperty("referralId").GetGuid())));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public void Ten_thousand_codes_are_unique_and_eight_characters_of_A_to_Z_and_digits()
    {
        var codes = Enumerable.Range(0, 10_000).Select(_ => WedSync.Api.Features.Referrals.Shared.ReferralCode.New()).ToList();

        Assert.Equal(10_000, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^[A-Z0-9]{8}$", code));
    }
}
