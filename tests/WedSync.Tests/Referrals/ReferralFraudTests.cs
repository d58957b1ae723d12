using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>Every WS-170 fraud rule tripped once; the answer names the rule.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralFraudTests(AppHostFixture fixture)
{
    [Fact]
    public async Task New_account_is_created_but_flagged_for_review()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, accountAgeDays: 2);

        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());

        var review = created.GetProperty("fraudReview");
        Assert.True(review.GetProperty("flagged").GetBoolean());
        Assert.Contains("new_account", Reasons(review));
    }

    [Fact]
    public async Task Eleventh_code_within_an_hour_is_429_with_retry_after()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await fixture.ExecuteAsync(
            """
            INSERT INTO referral_codes (organization_id, user_id, code)
            SELECT @org, @user, upper(substr(md5(gen_random_uuid()::text), 1, 10)) FROM generate_series(1, 10)
            """, ("org", scenario.Organization.Id), ("user", owner.UserId));

        using var response = await scenario.ReferAsync(owner, ReferralScenario.NewEmail());

        Assert.Contains("codes_per_hour", Reasons(await response.AssertProblemAsync(429)));
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Self_referral_is_rejected()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];

        using var response = await scenario.ReferAsync(owner, owner.Email.ToUpperInvariant());

        Assert.Contains("self_referral", Reasons(await response.AssertProblemAsync(422)));
    }

    [Fact]
    public async Task Already_referred_person_is_a_conflict_first_touch_wins()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var email = ReferralScenario.NewEmail();
        await scenario.ReferOkAsync(scenario.Organization["OWNER"], email);

        using var second = await scenario.ReferAsync(scenario.Organization["MEMBER"], email.ToUpperInvariant());

        Assert.Contains("already_referred", Reasons(await second.AssertProblemAsync(409)));
    }

    [Fact]
    public async Task Eleventh_referral_of_the_day_is_rejected_by_the_referrer_limit()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await InsertReferralsAsync(scenario, owner.UserId, 10, ip: null);

        using var response = await scenario.ReferAsync(owner, ReferralScenario.NewEmail());

        Assert.Contains("referrer_daily_limit", Reasons(await response.AssertProblemAsync(422)));
    }

    [Fact]
    public async Task Sixth_referral_of_the_day_from_one_ip_is_rejected_by_the_ip_limit()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var first = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        var ip = (string)(await fixture.ExecuteAsync("SELECT host(client_ip) FROM referrals WHERE id = @id", ("id", first.GetProperty("referralId").GetGuid())))!;
        await InsertReferralsAsync(scenario, Guid.NewGuid(), 4, ip);

        using var response = await scenario.ReferAsync(scenario.Organization["MEMBER"], ReferralScenario.NewEmail());

        Assert.Contains("ip_daily_limit", Reasons(await response.AssertProblemAsync(422)));
    }

    [Fact]
    public async Task Circular_referral_A_B_C_A_is_rejected()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN", "MEMBER"]);
        var (a, b, c) = (scenario.Organization["OWNER"], scenario.Organization["ADMIN"], scenario.Organization["MEMBER"]);
        await InsertChainLinkAsync(scenario, from: a, to: b);
        await InsertChainLinkAsync(scenario, from: b, to: c);

        using var response = await scenario.ReferAsync(c, a.Email);

        Assert.Contains("circular_referral", Reasons(await response.AssertProblemAsync(422)));
    }

    [Fact]
    public async Task Conversion_after_thirty_days_is_refused()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());
        await fixture.ExecuteAsync("UPDATE referrals SET created_at = now() - interval '40 days', expires_at = now() + interval '1 day' WHERE id = @id",
            ("id", created.GetProperty("referralId").GetGuid()));

        using var response = await scenario.ConvertAsync(created.GetProperty("referralCode").GetString()!, Guid.NewGuid(), "signed_up");

        Assert.Contains("conversion_window_closed", Reasons(await response.AssertProblemAsync(422)));
        Assert.Equal(0L, await fixture.ExecuteAsync("SELECT count(*) FROM referral_rewards WHERE referral_id = @id", ("id", created.GetProperty("referralId").GetGuid())));
    }

    [Theory]
    [InlineData("signed_up")]
    [InlineData("subscribed")]
    public async Task Conversion_that_happened_before_the_referral_was_created_is_refused_and_pays_nothing(string @event)
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var created = await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail());

        using var response = await scenario.ConvertAsync(created.GetProperty("referralCode").GetString()!, Guid.NewGuid(), @event,
            DateTimeOffset.UtcNow.AddDays(-2));

        Assert.Contains("conversion_before_referral", Reasons(await response.AssertProblemAsync(422)));
        Assert.Equal(0L, await fixture.ExecuteAsync("SELECT count(*) FROM referral_rewards WHERE referral_id = @id", ("id", created.GetProperty("referralId").GetGuid())));
        Assert.Equal("pending", await fixture.ExecuteAsync("SELECT status FROM referrals WHERE id = @id", ("id", created.GetProperty("referralId").GetGuid())));
    }

    private static IEnumerable<string> Reasons(JsonElement problemOrReview) =>
        problemOrReview.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!);

    private Task InsertReferralsAsync(ReferralScenario scenario, Guid referrer, int count, string? ip) =>
        fixture.ExecuteAsync(
            """
            WITH code AS (INSERT INTO referral_codes (organization_id, user_id, code)
                          VALUES (@org, @referrer, upper(substr(md5(gen_random_uuid()::text), 1, 10))) RETURNING id)
            INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referred_email, client_ip)
            SELECT @org, code.id, @referrer, 'limit-' || gen_random_uuid() || '@test.invalid', @ip::inet
            FROM code, generate_series(1, @count)
            """,
            ("org", scenario.Organization.Id), ("referrer", referrer), ("count", count), ("ip", (object?)ip ?? DBNull.Value));

    private Task InsertChainLinkAsync(ReferralScenario scenario, TestMember from, TestMember to) =>
        fixture.ExecuteAsync(
            """
            WITH code AS (INSERT INTO referral_codes (organization_id, user_id, code)
                          VALUES (@org, @from, upper(substr(md5(gen_random_uuid()::text), 1, 10))) RETURNING id)
            INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referred_email, referred_user_id, status, signed_up_at)
            SELECT @org, code.id, @from, @email, @to, 'signed_up', now() FROM code
            """,
            ("org", scenario.Organization.Id), ("from", from.UserId), ("to", to.UserId), ("email", $"chain-{Guid.NewGuid():N}@test.invalid"));
}
