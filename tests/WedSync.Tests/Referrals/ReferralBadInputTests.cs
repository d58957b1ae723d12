using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>Bad input on every referral endpoint: a 4xx problem, and not one row written.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralBadInputTests(AppHostFixture fixture)
{
    public static TheoryData<string, string, string> BadRequests => new()
    {
        { "POST", "/api/referrals", """{"referredEmail":"not-an-email"}""" },
        { "POST", "/api/referrals", """{"referredEmail":"a@b.test","rewardType":"cash"}""" },
        { "POST", "/api/referrals", """{"referredEmail":"a@b.test","referrerType":"robot"}""" },
        { "POST", "/api/referrals", """{"referredEmail":"' OR 1=1 --"}""" },
        { "POST", "/api/referrals", """{"referredEmail":12}""" },
        { "POST", "/api/referrals", """{"referredEmail":"a@b.test","unexpected":true}""" },
        { "POST", "/api/referrals", "{not json" },
        { "POST", "/api/referrals/abc/shares", """{"shareType":"link"}""" },
        { "POST", "/api/referrals/ABCDEFGHIJKLMNOPQRSTU/shares", """{"shareType":"link"}""" },
        { "POST", "/api/referrals/ABCD1234/shares", """{"shareType":"carrier-pigeon"}""" },
        { "POST", "/api/referrals/ABCD1234/shares", """{"shareType":"social","platform":"<script>alert(1)</script>"}""" },
        { "GET", "/api/referrals?status=won", "" },
        { "GET", "/api/referrals?pageSize=-1", "" },
        { "GET", "/api/referrals?pageSize=1000", "" },
        { "GET", "/api/referrals/rewards?status=paid", "" },
        { "GET", "/api/referrals/leaderboard?period=decade", "" },
        { "GET", "/api/referrals/analytics?from=2026-05-01&to=2026-01-01", "" },
        { "GET", "/api/referrals/analytics?from=2020-01-01&to=2026-01-01", "" },
        { "GET", "/api/referrals/analytics?from=yesterday", "" },
        { "GET", "/r/abc", "" },
        { "GET", "/r/ABCDEFGHIJKLMNOPQRSTU", "" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_400_problem_and_writes_nothing(string method, string path, string body)
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var token = scenario.Organization["OWNER"].Token();
        var before = await CountAsync(scenario);

        var request = ApiCalls.Request(new HttpMethod(method), path, token);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await fixture.Api.SendAsync(request);

        await response.AssertProblemAsync(400);
        Assert.Equal(before, await CountAsync(scenario));
    }

    [Theory]
    [InlineData("""{"referralCode":"ABCD1234","referredEmail":"a@b.test","referredUserId":"6f1c1f8e-7a0c-4c57-9f0e-2b8b0b1f4a11","event":"signed_up","occurredAt":"2026-01-01T00:00:00Z"}""")]
    [InlineData("""{"referralCode":"ABCD1234","referredUserId":"6f1c1f8e-7a0c-4c57-9f0e-2b8b0b1f4a11","event":"refunded","occurredAt":"2026-01-01T00:00:00Z"}""")]
    [InlineData("""{"referralCode":"AB","referredUserId":"6f1c1f8e-7a0c-4c57-9f0e-2b8b0b1f4a11","event":"signed_up","occurredAt":"2026-01-01T00:00:00Z"}""")]
    [InlineData("""{"referralCode":"ABCD1234","referredUserId":"00000000-0000-0000-0000-000000000000","event":"signed_up","occurredAt":"2026-01-01T00:00:00Z"}""")]
    [InlineData("""{"referralCode":"ABCD1234","referredUserId":"6f1c1f8e-7a0c-4c57-9f0e-2b8b0b1f4a11","event":"signed_up","occurredAt":"2999-01-01T00:00:00Z"}""")]
    public async Task Bad_conversion_is_a_400_problem_and_writes_nothing(string body)
    {
        var before = await fixture.ExecuteAsync("SELECT count(*) FROM referral_conversions");
        var request = ApiCalls.Request(HttpMethod.Post, "/api/referrals/conversions", ReferralScenario.ServiceToken);
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var response = await fixture.Api.SendAsync(request);

        await response.AssertProblemAsync(400);
        Assert.Equal(before, await fixture.ExecuteAsync("SELECT count(*) FROM referral_conversions"));
    }

    private async Task<long> CountAsync(ReferralScenario scenario) =>
        (long)(await fixture.ExecuteAsync(
            """
            SELECT (SELECT count(*) FROM referral_codes WHERE organization_id = @org)
                 + (SELECT count(*) FROM referrals WHERE organization_id = @org)
                 + (SELECT count(*) FROM referral_share_events WHERE organization_id = @org)
            """, ("org", scenario.Organization.Id)))!;
}
