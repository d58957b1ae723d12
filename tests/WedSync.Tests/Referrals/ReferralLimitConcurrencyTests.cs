using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 16, kind 1: every referral limit holds under concurrency. Each test sends at least 20 requests
/// at once and asserts the exact limit: counting and then writing let 11–15 of 20 through.
/// Limits in the shared fixture are the defaults: 10 codes an hour, 10 referrals per referrer a day,
/// 5 per client a day (UTC windows).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralLimitConcurrencyTests(AppHostFixture fixture)
{
    private const int Parallel = 20;

    /// <summary>The issue's example: one user, 20 concurrent referrals from distinct clients, 10 codes an hour.</summary>
    [Fact]
    public async Task Twenty_concurrent_referrals_of_one_user_create_exactly_ten_codes_an_hour()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];

        var outcomes = await SendAllAsync(Enumerable.Range(0, Parallel).Select(_ =>
            scenario.ReferAsync(owner, ReferralScenario.NewEmail(), clientIp: ReferralScenario.NewClientIp())));

        Assert.Equal(10, outcomes.Count(o => o.Status == 201));
        // The 11th code is refused by the hour limit or, as the same user passes 10 a day, by the daily rule.
        Assert.All(outcomes.Where(o => o.Status != 201), o =>
            Assert.True((o.Status == 429 && o.Reasons.Contains("codes_per_hour")) || (o.Status == 422 && o.Reasons.Contains("referrer_daily_limit")),
                $"{o.Status} {string.Join(",", o.Reasons)}"));
        Assert.Equal(10L, await fixture.ExecuteAsync("SELECT count(*) FROM referral_codes WHERE user_id = @u", ("u", owner.UserId)));
        Assert.Equal(10L, await fixture.ExecuteAsync("SELECT count(*) FROM referrals WHERE referrer_user_id = @u", ("u", owner.UserId)));
    }

    /// <summary>Referrals per referrer per UTC day: five made earlier today (an earlier hour), 20 at once, exactly five more.</summary>
    [Fact]
    public async Task Twenty_concurrent_referrals_stop_at_the_referrers_daily_limit()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        // Earlier today, in an earlier hour when there is one: they count for the day, not for this hour's codes.
        await fixture.ExecuteAsync(
            """
            WITH at AS (SELECT greatest(date_trunc('day', now(), 'UTC'), date_trunc('hour', now(), 'UTC') - interval '1 minute') AS t),
            code AS (INSERT INTO referral_codes (organization_id, user_id, code, created_at)
                     SELECT @org, @u, upper(substr(md5(gen_random_uuid()::text), 1, 10)), at.t FROM at, generate_series(1, 5) RETURNING id, created_at)
            INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referred_email, created_at)
            SELECT @org, code.id, @u, 'earlier-' || gen_random_uuid() || '@test.invalid', code.created_at FROM code
            """, ("org", scenario.Organization.Id), ("u", owner.UserId));

        var outcomes = await SendAllAsync(Enumerable.Range(0, Parallel).Select(_ =>
            scenario.ReferAsync(owner, ReferralScenario.NewEmail(), clientIp: ReferralScenario.NewClientIp())));

        Assert.Equal(5, outcomes.Count(o => o.Status == 201));
        // (In the first hour of a UTC day the five earlier codes are this hour's too: 429 then.)
        Assert.All(outcomes.Where(o => o.Status != 201), o =>
            Assert.True((o.Status == 422 && o.Reasons.Contains("referrer_daily_limit")) || (o.Status == 429 && DateTime.UtcNow.Hour == 0),
                $"{o.Status} {string.Join(",", o.Reasons)}"));
        Assert.Equal(10L, await fixture.ExecuteAsync("SELECT count(*) FROM referrals WHERE referrer_user_id = @u", ("u", owner.UserId)));
    }

    /// <summary>Referrals per client per UTC day: 20 users of one organization behind one address, exactly five.</summary>
    [Fact]
    public async Task Twenty_concurrent_referrals_from_one_client_stop_at_the_per_ip_limit()
    {
        var organization = await TestOrganization.CreateAsync(fixture, ["OWNER", .. Enumerable.Repeat("MEMBER", Parallel - 1)]);
        await fixture.ExecuteAsync("UPDATE user_profiles SET created_at = now() - interval '90 days' WHERE organization_id = @org", ("org", organization.Id));
        var scenario = new ReferralScenario(fixture, organization);

        var outcomes = await SendAllAsync(organization.Members.Select(member => scenario.ReferAsync(member, ReferralScenario.NewEmail())));

        Assert.Equal(5, outcomes.Count(o => o.Status == 201));
        Assert.All(outcomes.Where(o => o.Status != 201), o =>
        {
            Assert.Equal(422, o.Status);
            Assert.Contains("ip_daily_limit", o.Reasons);
        });
        Assert.Equal(5L, await fixture.ExecuteAsync("SELECT count(*) FROM referrals WHERE host(client_ip) = @ip", ("ip", scenario.ClientIp)));
    }

    /// <summary>
    /// First touch across organizations under concurrency: one mailbox written 20 ways (tags, case,
    /// gmail dots) by 20 organizations at once is referred exactly once.
    /// </summary>
    [Fact]
    public async Task One_mailbox_written_twenty_ways_at_once_is_referred_exactly_once()
    {
        var name = $"bride{Guid.NewGuid():N}"[..20];
        var scenarios = new List<ReferralScenario>();
        for (var i = 0; i < Parallel; i++)
        {
            scenarios.Add(await ReferralScenario.CreateAsync(fixture));
        }

        var outcomes = await SendAllAsync(scenarios.Select((scenario, i) =>
        {
            var local = i % 3 == 0 ? name : string.Join('.', name.Chunk(4).Select(c => new string(c)));
            var domain = i % 2 == 0 ? "gmail.com" : "GoogleMail.com";
            return scenario.ReferAsync(scenario.Organization["OWNER"], $"{(i % 4 == 0 ? local.ToUpperInvariant() : local)}+try{i}@{domain}");
        }));

        Assert.Equal(1, outcomes.Count(o => o.Status == 201));
        Assert.All(outcomes.Where(o => o.Status != 201), o =>
        {
            Assert.Equal(409, o.Status);
            Assert.Contains("already_referred", o.Reasons);
        });
        Assert.Equal(1L, await fixture.ExecuteAsync("SELECT count(*) FROM referrals WHERE referred_mailbox = @m", ("m", $"{name}@gmail.com")));
    }

    /// <summary>
    /// Found while fixing the kind: the reward tier is a threshold on the referrer's converted count,
    /// counted and then paid. 20 concurrent conversions of one referrer's 20 referrals must pay the
    /// tiers as if one after another: 5 bronze (0–4 converted before), 10 silver (5–14), 5 gold (15–19).
    /// </summary>
    [Fact]
    public async Task Twenty_concurrent_conversions_of_one_referrer_pay_each_tier_exactly_its_share()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await fixture.ExecuteAsync(
            """
            WITH code AS (INSERT INTO referral_codes (organization_id, user_id, code)
                          SELECT @org, @u, upper(substr(md5(gen_random_uuid()::text), 1, 12)) FROM generate_series(1, 20) RETURNING id)
            INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referred_email)
            SELECT @org, code.id, @u, 'tier-' || gen_random_uuid() || '@test.invalid' FROM code
            """, ("org", scenario.Organization.Id), ("u", owner.UserId));
        var codes = new List<string>();
        await using (var connection = fixture.OpenDatabase())
        await using (var command = new Npgsql.NpgsqlCommand("SELECT c.code FROM referral_codes c WHERE c.user_id = @u", connection))
        {
            command.Parameters.AddWithValue("u", owner.UserId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                codes.Add(reader.GetString(0));
            }
        }

        var outcomes = await SendAllAsync(codes.Select(code => scenario.ConvertAsync(code, Guid.NewGuid(), "subscribed")));

        Assert.All(outcomes, o => Assert.Equal(200, o.Status));
        await using var check = fixture.OpenDatabase();
        await using var tiers = new Npgsql.NpgsqlCommand(
            "SELECT tier, count(*) FROM referral_rewards WHERE beneficiary_user_id = @u AND side = 'referrer' AND trigger = 'subscribed' GROUP BY tier", check);
        tiers.Parameters.AddWithValue("u", owner.UserId);
        var paid = new Dictionary<string, long>();
        await using (var reader = await tiers.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                paid[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        Assert.Equal(new Dictionary<string, long> { ["bronze"] = 5, ["silver"] = 10, ["gold"] = 5 }, paid);
    }

    private static Task<(int Status, string[] Reasons)[]> SendAllAsync(IEnumerable<Task<HttpResponseMessage>> requests) =>
        Task.WhenAll(requests.Select(ReferralClientAddressTests.StatusAndReasonsAsync));
}
