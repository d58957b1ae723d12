using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 27: K factor and conversion by cohort month. A referrer's cohort is the UTC month of their first
/// referral; every month of the range is answered (empty ones with zeros); a referral at 00:30 on the 1st in
/// Berlin is the month before's; another organization sees none of it (RLS); only owners and admins read it.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralCohortTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Cohorts_count_each_referrers_invites_from_their_first_UTC_month_with_empty_months_and_no_other_organization()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN", "MEMBER"]);
        var (owner, admin, member) = (scenario.Organization["OWNER"], scenario.Organization["ADMIN"], scenario.Organization["MEMBER"]);

        // The owner's first referral is at 00:30 on 1 February in Berlin: 31 January in UTC, so the January cohort;
        // their March referral stays in it. The admin and the member first refer in February.
        // (Converted first: a conversion must fall inside the referral's window, which dating it back closes.)
        await ReferAtAsync(scenario, owner, "2025-02-01T00:30:00+01:00", "subscribed");
        await ReferAtAsync(scenario, owner, "2025-03-10T12:00:00Z");
        await ReferAtAsync(scenario, admin, "2025-02-01T00:00:00Z", "signed_up");
        await ReferAtAsync(scenario, member, "2025-02-28T23:59:59Z");

        var answer = await fixture.Api.GetAsync("/api/referrals/cohorts?from=2024-12&to=2025-04", owner.Token()).OkJsonAsync();
        Assert.Equal(("2024-12", "2025-04", "UTC"), (answer.GetProperty("from").GetString(), answer.GetProperty("to").GetString(), answer.GetProperty("timeZone").GetString()));
        var cohorts = answer.GetProperty("cohorts").EnumerateArray().ToDictionary(c => c.GetProperty("month").GetString()!);
        Assert.Equal(["2024-12", "2025-01", "2025-02", "2025-03", "2025-04"], cohorts.Keys);

        Assert.Equal((1L, 2L, 1L, 1L), Counts(cohorts["2025-01"]));
        Assert.Equal((2m, 0.5m, 1m), Rates(cohorts["2025-01"]));
        Assert.Equal((2L, 2L, 1L, 0L), Counts(cohorts["2025-02"]));
        Assert.Equal((1m, 0m, 0m), Rates(cohorts["2025-02"]));
        foreach (var empty in new[] { "2024-12", "2025-03", "2025-04" })
        {
            Assert.Equal((0L, 0L, 0L, 0L), Counts(cohorts[empty]));
            Assert.Equal((0m, 0m, 0m), Rates(cohorts[empty]));
        }

        // Another organization's owner: the same months, nothing of this one.
        var other = await ReferralScenario.CreateAsync(fixture);
        var elsewhere = await fixture.Api.GetAsync("/api/referrals/cohorts?from=2024-12&to=2025-04", other.Organization["OWNER"].Token()).OkJsonAsync();
        Assert.All(elsewhere.GetProperty("cohorts").EnumerateArray(), c => Assert.Equal((0L, 0L, 0L, 0L), Counts(c)));

        // A member invites and sees their own referrals, not the organization's cohorts.
        using var denied = await fixture.Api.GetAsync("/api/referrals/cohorts", member.Token());
        await denied.AssertProblemAsync(403);

        // One end alone spans twelve months from it.
        var fromOnly = await fixture.Api.GetAsync("/api/referrals/cohorts?from=2025-01", owner.Token()).OkJsonAsync();
        Assert.Equal(("2025-01", "2025-12", 12), (fromOnly.GetProperty("from").GetString(), fromOnly.GetProperty("to").GetString(), fromOnly.GetProperty("cohorts").GetArrayLength()));
    }

    [Theory]
    [InlineData("from=2031-13")]
    [InlineData("from=2031-1")]
    [InlineData("to=31-01")]
    [InlineData("from=2025-05&to=2025-04")]
    [InlineData("from=2028-01&to=2031-01")]
    public async Task Months_that_are_not_yyyy_MM_or_out_of_order_or_too_many_are_a_400_problem(string query)
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        using var response = await fixture.Api.GetAsync($"/api/referrals/cohorts?{query}", scenario.Organization["OWNER"].Token());
        await response.AssertProblemAsync(400);
    }

    private static (long, long, long, long) Counts(JsonElement c) => (c.GetProperty("referrers").GetInt64(), c.GetProperty("invites").GetInt64(),
        c.GetProperty("signups").GetInt64(), c.GetProperty("conversions").GetInt64());

    private static (decimal, decimal, decimal) Rates(JsonElement c) => (c.GetProperty("invitesPerReferrer").GetDecimal(),
        c.GetProperty("conversionRate").GetDecimal(), c.GetProperty("kFactor").GetDecimal());

    /// <summary>A referral through the API, converted up to an event if asked, then dated (the owner connection) to when the cohort test needs it.</summary>
    private async Task ReferAtAsync(ReferralScenario scenario, TestMember referrer, string at, string? convertedUpTo = null)
    {
        var created = await scenario.ReferOkAsync(referrer, ReferralScenario.NewEmail());
        if (convertedUpTo is not null)
        {
            await ConvertAsync(scenario, created.GetProperty("referralCode").GetString()!, convertedUpTo);
        }

        await fixture.ExecuteAsync("UPDATE referrals SET created_at = @at WHERE id = @id",
            ("at", DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime()), ("id", created.GetProperty("referralId").GetGuid()));
    }

    private static async Task ConvertAsync(ReferralScenario scenario, string code, string upTo)
    {
        var user = Guid.NewGuid();
        foreach (var @event in upTo == "subscribed" ? new[] { "signed_up", "subscribed" } : ["signed_up"])
        {
            using var response = await scenario.ConvertAsync(code, user, @event);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }
}
