using Npgsql;
using WedSync.Api.Features.Referrals.Rewards;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 27: a hold that follows the referred vendor's own data (their first delivered wedding, their WS-168
/// health score) instead of fixed days, released by the sweep exactly once under parallel sweeps; and the
/// sweep never lets rewards that cannot move (a condition unmet, a reward bigger than the cap) starve due ones.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RewardHoldConditionTests(AppHostFixture fixture)
{
    private const int ParallelSweeps = 15;

    [Fact]
    public async Task A_reward_held_for_the_first_delivered_wedding_is_released_once_by_fifteen_parallel_sweeps_when_the_vendor_delivers_one()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        var rules = await fixture.SetRulesAsync(owner, new { holdDays = 0, holdKind = "first_wedding_delivered" });
        Assert.Equal("first_wedding_delivered", rules.GetProperty("holdKind").GetString());
        var vendor = await TestOrganization.CreateAsync(fixture, "OWNER");
        var reward = await ConvertedRewardAsync(scenario, owner, vendor["OWNER"].UserId);

        var waiting = await fixture.RewardAsync(reward, owner.Token());
        Assert.Equal(("pending", "waiting_first_wedding"), (waiting.GetProperty("state").GetString(), waiting.GetProperty("waitReason").GetString()));

        // A wedding still being planned, and one delivered before they were our customer, are not their first delivered wedding.
        await WeddingAsync(vendor.Id, "planning", 0);
        await WeddingAsync(vendor.Id, "completed", -400);
        await SweepAsync();
        Assert.Equal("waiting_first_wedding", (await fixture.RewardAsync(reward, owner.Token())).GetProperty("waitReason").GetString());

        await WeddingAsync(vendor.Id, "completed", 0);
        var sweeps = await Task.WhenAll(Enumerable.Range(0, ParallelSweeps).Select(_ => Task.Run(SweepAsync)));
        var approved = await MonitoringCalls.PollAsync(() => fixture.RewardAsync(reward, owner.Token()),
            r => r.GetProperty("state").GetString() == "approved", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));

        Assert.Equal(1L, await fixture.EntriesAsync(reward, "approved"));
        var entry = approved.GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("approved", "system"), (entry.GetProperty("transition").GetString(), entry.GetProperty("actorRole").GetString()));
        Assert.Contains("first wedding", entry.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.InRange(sweeps.Sum(), 0, ParallelSweeps);
    }

    [Fact]
    public async Task A_reward_held_for_a_health_score_waits_for_the_latest_score_to_reach_the_threshold()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await fixture.SetRulesAsync(owner, new { holdDays = 0, holdKind = "health_score", healthScoreThreshold = 70 });
        var vendor = await TestOrganization.CreateAsync(fixture, "OWNER");
        // An older day above the threshold does not count: the latest score is the vendor's health.
        await HealthScoreAsync(vendor.Id, -3, 90);
        await HealthScoreAsync(vendor.Id, 0, 55);
        var reward = await ConvertedRewardAsync(scenario, owner, vendor["OWNER"].UserId);

        await SweepAsync();
        var waiting = await fixture.RewardAsync(reward, owner.Token());
        Assert.Equal(("pending", "waiting_health_score"), (waiting.GetProperty("state").GetString(), waiting.GetProperty("waitReason").GetString()));
        Assert.Equal(0L, await fixture.EntriesAsync(reward, "approved"));

        await fixture.ExecuteAsync("UPDATE customer_health_scores SET overall_score = 70 WHERE organization_id = @o AND score_date = current_date", ("o", vendor.Id));
        await Task.WhenAll(Enumerable.Range(0, ParallelSweeps).Select(_ => Task.Run(SweepAsync)));
        var approved = await MonitoringCalls.PollAsync(() => fixture.RewardAsync(reward, owner.Token()),
            r => r.GetProperty("state").GetString() == "approved", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
        Assert.Contains("health score reached 70", approved.GetProperty("entries").EnumerateArray().Last().GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1L, await fixture.EntriesAsync(reward, "approved"));
    }

    [Theory]
    [InlineData("health_score", null)]
    [InlineData("days", 50)]
    [InlineData("health_score", 101)]
    [InlineData("first_delivery", null)]
    public async Task Hold_rules_without_their_threshold_or_of_an_unknown_kind_are_a_400_problem(string kind, int? threshold)
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var request = ApiCalls.Request(HttpMethod.Put, "/api/referrals/reward-rules", scenario.Organization["OWNER"].Token());
        request.Content = System.Net.Http.Json.JsonContent.Create(new { holdKind = kind, healthScoreThreshold = threshold });
        using var response = await fixture.Api.SendAsync(request);
        await response.AssertProblemAsync(400);
    }

    /// <summary>
    /// The sweep claims its batch oldest hold first; rows that cannot move (a condition unmet, a reward bigger
    /// than the whole spend cap) must not fill the batch: with a batch of one, the due reward behind them is approved.
    /// </summary>
    [Fact]
    public async Task Rewards_that_cannot_move_never_fill_the_sweeps_batch_ahead_of_a_due_one()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        // The referrer's 1500 can never fit a 1000 cap; the referee's 1000 can.
        await fixture.SetRulesAsync(owner, new { holdDays = 30, spendCapCents = 1000, spendCapPeriod = "month" });
        var (_, _, tooBig, due) = await scenario.ConvertedAsync(fixture, owner);
        var (_, _, _, unmet) = await scenario.ConvertedAsync(fixture, owner);

        // In one uncommitted transaction, so the background sweep sees none of it; rolled back at the end.
        await using var connection = fixture.OpenDatabase();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, "UPDATE referral_rewards SET hold_until = '1998-01-01', wait_reason = 'spend_cap_reached' WHERE id = @r", tooBig);
        await ExecuteAsync(connection, """
            UPDATE referral_rewards SET hold_until = '1999-01-01', wait_reason = 'waiting_first_wedding', hold_condition = 'first_wedding_delivered'
            WHERE id = @r
            """, unmet);
        await ExecuteAsync(connection, "UPDATE referral_rewards SET hold_until = '2000-01-01' WHERE id = @r", due);

        Assert.Equal(1, await ExecuteAsync(connection, "SELECT referral_rewards_release_due(1)", Guid.Empty));
        Assert.Equal("approved", await ExecuteAsync(connection, "SELECT state FROM referral_rewards WHERE id = @r", due));
        Assert.Equal("pending", await ExecuteAsync(connection, "SELECT state FROM referral_rewards WHERE id = @r", tooBig));
        Assert.Equal("pending", await ExecuteAsync(connection, "SELECT state FROM referral_rewards WHERE id = @r", unmet));
        await transaction.RollbackAsync();
    }

    [Fact]
    public void The_page_says_what_a_condition_hold_waits_for()
    {
        RewardState Waiting(string reason, int? threshold) => new(Guid.NewGuid(), Guid.NewGuid(), "a@b.test", "referrer", "credit", 1500, "GBP",
            "pending", reason, DateTimeOffset.UtcNow, 0, [], DateTimeOffset.UtcNow, threshold);

        Assert.Equal("waiting for the referred vendor's first delivered wedding", Waiting("waiting_first_wedding", null).Why);
        Assert.Equal("waiting for the referred vendor's health score to reach 70", Waiting("waiting_health_score", 70).Why);
    }

    /// <summary>Refers a new address and converts it as the given (already known) vendor user: the referrer's reward.</summary>
    private async Task<Guid> ConvertedRewardAsync(ReferralScenario scenario, TestMember referrer, Guid referredUser)
    {
        var created = await scenario.ReferOkAsync(referrer, ReferralScenario.NewEmail());
        using var convert = await scenario.ConvertAsync(created.GetProperty("referralCode").GetString()!, referredUser, "signed_up");
        Assert.True(convert.IsSuccessStatusCode, await convert.Content.ReadAsStringAsync());
        return (Guid)(await fixture.ExecuteAsync("SELECT id FROM referral_rewards WHERE referral_id = @r AND side = 'referrer'",
            ("r", created.GetProperty("referralId").GetGuid())))!;
    }

    private async Task<int> SweepAsync() =>
        (int)(await fixture.ExecuteAsync("SELECT referral_rewards_release_due(500)"))!;

    private Task WeddingAsync(Guid organization, string status, int daysFromToday) => fixture.ExecuteAsync("""
        INSERT INTO weddings (organization_id, couple_name, wedding_date, status)
        VALUES (@o, 'Sam and Alex', (now() AT TIME ZONE 'UTC')::date + @d, @s)
        """, ("o", organization), ("d", daysFromToday), ("s", status));

    private Task HealthScoreAsync(Guid organization, int daysFromToday, int score) => fixture.ExecuteAsync("""
        INSERT INTO customer_health_scores (organization_id, score_date, overall_score, engagement_score, adoption_score, support_score,
                                            milestone_score, risk_level)
        VALUES (@o, current_date + @d, @s, @s, @s, @s, @s, 'medium')
        """, ("o", organization), ("d", daysFromToday), ("s", (short)score));

    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, string sql, Guid reward)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (reward != Guid.Empty)
        {
            command.Parameters.AddWithValue("r", reward);
        }

        return await command.ExecuteScalarAsync();
    }
}
