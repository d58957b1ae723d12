using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 27: every reward moves by append-only ledger entries (who, when, why), each transition once under
/// 15 parallel requests, balances are the ledger's sums, and who may move a reward follows the trade: org
/// admins review, WedSync's billing service acknowledges delivery and reports refunds.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RewardLedgerTests(AppHostFixture fixture)
{
    private const int Parallel = 15;

    [Fact]
    public async Task Review_approve_fulfil_and_clawback_each_write_one_ledger_entry_under_parallel_requests_and_balances_are_its_sums()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "MEMBER"]);
        var owner = scenario.Organization["OWNER"];
        var member = scenario.Organization["MEMBER"];
        // Every amount waits for a person: the referrer's 1500 and the referee's 1000 are both >= 1000.
        await fixture.SetRulesAsync(owner, new { holdDays = 0, autoApproveBelowCents = 1000, reviewFlagged = true, clawbackWindowDays = 30, spendCapPeriod = "month" });
        var (_, referredUser, referrerReward, refereeReward) = await scenario.ConvertedAsync(fixture, owner);

        var queue = await fixture.Api.GetAsync("/api/referrals/reviews", owner.Token()).OkJsonAsync();
        var waiting = queue.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(new[] { referrerReward, refereeReward }.Order(), waiting.Select(i => i.GetProperty("rewardId").GetGuid()).Order());
        Assert.All(waiting, i => Assert.Equal("review_amount", i.GetProperty("waitReason").GetString()));
        Assert.All(waiting, i => Assert.Equal(JsonValueKind.Array, i.GetProperty("fraudReasons").ValueKind));

        // A member neither sees the queue nor approves; billing's acknowledgement of a pending reward is a conflict.
        using (var denied = await fixture.Api.GetAsync("/api/referrals/reviews", member.Token()))
        {
            await denied.AssertProblemAsync(403);
        }

        using (var denied = await fixture.TransitionAsync(referrerReward, "approve", member.Token()))
        {
            await denied.AssertProblemAsync(403);
        }

        using (var early = await fixture.TransitionAsync(referrerReward, "fulfilled", ReferralScenario.ServiceToken))
        {
            var problem = await early.AssertProblemAsync(409);
            Assert.Contains("state_pending", problem.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        }

        var approvals = await RewardLedgerCalls.AllAsync(Enumerable.Range(0, Parallel).Select(_ =>
            fixture.TransitionAsync(referrerReward, "approve", owner.Token(), "customer verified")));
        Assert.All(approvals, a => Assert.True(a.Status == 200, $"{a.Status} {a.Body}"));
        Assert.Single(approvals, a => !a.Body.GetProperty("alreadyApplied").GetBoolean());
        Assert.Single(approvals.Select(a => a.Body.GetProperty("ledgerEntryId").GetGuid()).Distinct());
        Assert.Equal(1L, await fixture.EntriesAsync(referrerReward, "approved"));

        var acknowledgements = await RewardLedgerCalls.AllAsync(Enumerable.Range(0, Parallel).Select(_ =>
            fixture.TransitionAsync(referrerReward, "fulfilled", ReferralScenario.ServiceToken, "credit note CN-1")));
        Assert.All(acknowledgements, a => Assert.True(a.Status == 200, $"{a.Status} {a.Body}"));
        Assert.Single(acknowledgements, a => !a.Body.GetProperty("alreadyApplied").GetBoolean());
        Assert.Equal(1L, await fixture.EntriesAsync(referrerReward, "fulfilled"));

        // A refund inside the window: the delivered reward is clawed back, the pending one revoked; repeats change nothing.
        var refunds = await RewardLedgerCalls.AllAsync(Enumerable.Range(0, Parallel).Select(_ =>
            fixture.Api.PostJsonAsync("/api/referrals/refunds", ReferralScenario.ServiceToken,
                new { referredUserId = referredUser, @event = "refunded", occurredAt = DateTimeOffset.UtcNow, reason = "chargeback" })));
        Assert.All(refunds, r => Assert.True(r.Status == 200, $"{r.Status} {r.Body}"));
        Assert.Equal(1, refunds.Count(r => r.Body.GetProperty("rewards").EnumerateArray().Any(w => w.GetProperty("outcome").GetString() == "applied"
            && w.GetProperty("rewardId").GetGuid() == referrerReward)));
        Assert.Equal(1L, await fixture.EntriesAsync(referrerReward, "clawed_back"));
        Assert.Equal(1L, await fixture.EntriesAsync(refereeReward, "revoked"));

        var reward = await fixture.RewardAsync(referrerReward, owner.Token());
        Assert.Equal("clawed_back", reward.GetProperty("state").GetString());
        var entries = reward.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(new[] { "pending", "approved", "fulfilled", "clawed_back" }, entries.Select(e => e.GetProperty("transition").GetString()));
        Assert.Equal(new[] { "service", "admin", "service", "service" }, entries.Select(e => e.GetProperty("actorRole").GetString()));
        Assert.Equal(owner.UserId, entries[1].GetProperty("actorUserId").GetGuid());
        Assert.Equal("customer verified", entries[1].GetProperty("reason").GetString());
        Assert.Contains("chargeback", entries[3].GetProperty("reason").GetString(), StringComparison.Ordinal);

        // The referrer got 1500 delivered and owes it back: nothing pending, owed -1500, paid 1500.
        var balance = (await fixture.Api.GetAsync("/api/referrals/balance", owner.Token()).OkJsonAsync()).GetProperty("balances").EnumerateArray().Single();
        Assert.Equal((0L, -1500L, 1500L), (balance.GetProperty("pendingCents").GetInt64(), balance.GetProperty("owedCents").GetInt64(), balance.GetProperty("paidCents").GetInt64()));
        // The earlier status view is unchanged in kind: a clawed-back reward reads revoked.
        Assert.Equal("revoked", await fixture.ExecuteAsync("SELECT status FROM referral_rewards WHERE id = @r", ("r", referrerReward)));

        // Nothing moves a reward twice or backwards.
        using (var again = await fixture.TransitionAsync(refereeReward, "approve", owner.Token()))
        {
            await again.AssertProblemAsync(409);
        }
    }

    [Fact]
    public async Task Ledger_entries_cannot_be_changed_or_deleted_even_by_the_owner_and_the_request_role_cannot_update_rewards()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var (_, _, reward, _) = await scenario.ConvertedAsync(fixture, scenario.Organization["OWNER"]);

        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            fixture.ExecuteAsync("UPDATE referral_reward_ledger SET reason = 'edited' WHERE reward_id = @r", ("r", reward)));
        Assert.Equal("42501", update.SqlState);
        var delete = await Assert.ThrowsAsync<PostgresException>(() =>
            fixture.ExecuteAsync("DELETE FROM referral_reward_ledger WHERE reward_id = @r", ("r", reward)));
        Assert.Equal("42501", delete.SqlState);
        Assert.Equal(false, await fixture.ExecuteAsync("SELECT has_table_privilege('wedsync_user', 'referral_rewards', 'UPDATE')"));
    }

    [Fact]
    public async Task A_held_reward_waits_with_its_reason_and_the_sweep_approves_it_when_the_hold_is_over()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await fixture.SetRulesAsync(owner, new { holdDays = 30 });
        var (_, _, reward, _) = await scenario.ConvertedAsync(fixture, owner);

        var held = await fixture.RewardAsync(reward, owner.Token());
        Assert.Equal(("pending", "holding"), (held.GetProperty("state").GetString(), held.GetProperty("waitReason").GetString()));
        Assert.InRange(held.GetProperty("holdUntil").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));

        // Thirty days pass for this reward only.
        await fixture.ExecuteAsync("UPDATE referral_rewards SET hold_until = now() - interval '1 second' WHERE id = @r", ("r", reward));
        var approved = await MonitoringCalls.PollAsync(() => fixture.RewardAsync(reward, owner.Token()),
            r => r.GetProperty("state").GetString() == "approved", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
        Assert.Equal("approved", approved.GetProperty("state").GetString());
        Assert.Equal("awaiting_fulfilment", approved.GetProperty("waitReason").GetString());
        var entry = approved.GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("approved", "system"), (entry.GetProperty("transition").GetString(), entry.GetProperty("actorRole").GetString()));
        Assert.Equal(1L, await fixture.EntriesAsync(reward, "approved"));
    }

    /// <summary>Dub (dubinc/dub#2939 review): a clawback must not wait behind the holding period. A refund during the hold revokes at once, and the sweep never releases it.</summary>
    [Fact]
    public async Task A_refund_during_the_hold_revokes_at_once_and_the_sweep_never_approves_the_reward()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await fixture.SetRulesAsync(owner, new { holdDays = 30 });
        var (_, referredUser, reward, _) = await scenario.ConvertedAsync(fixture, owner);

        var refund = await fixture.Api.PostJsonAsync("/api/referrals/refunds", ReferralScenario.ServiceToken,
            new { referredUserId = referredUser, @event = "refunded", occurredAt = DateTimeOffset.UtcNow }).OkJsonAsync();
        Assert.All(refund.GetProperty("rewards").EnumerateArray(), r => Assert.Equal("revoked", r.GetProperty("state").GetString()));

        // The hold ends; the sweep (every second in tests) must leave the revoked reward alone.
        await fixture.ExecuteAsync("UPDATE referral_rewards SET hold_until = now() - interval '1 second' WHERE id = @r", ("r", reward));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("revoked", (await fixture.RewardAsync(reward, owner.Token())).GetProperty("state").GetString());
        Assert.Equal(0L, await fixture.EntriesAsync(reward, "approved"));
    }

    [Fact]
    public async Task Spend_cap_is_exact_under_twenty_parallel_approvals()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN"]);
        var owner = scenario.Organization["OWNER"];
        var admin = scenario.Organization["ADMIN"];
        // Everything waits for review; the cap leaves room for six 1500-cent rewards (9000 of 10000).
        await fixture.SetRulesAsync(owner, new { autoApproveBelowCents = 0, spendCapCents = 10_000, spendCapPeriod = "month" });
        var rewards = new List<Guid>();
        foreach (var referrer in new[] { owner, admin })
        {
            for (var i = 0; i < 10; i++)
            {
                rewards.Add((await scenario.ConvertedAsync(fixture, referrer)).ReferrerReward);
            }
        }

        var outcomes = await RewardLedgerCalls.AllAsync(rewards.Select(r => fixture.TransitionAsync(r, "approve", owner.Token())));

        Assert.Equal(6, outcomes.Count(o => o.Status == 200));
        Assert.All(outcomes.Where(o => o.Status != 200), o =>
        {
            Assert.Equal(409, o.Status);
            Assert.Contains("spend_cap_reached", o.Body.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        });
        Assert.Equal(9000L, await fixture.ExecuteAsync(
            "SELECT sum(owed_cents)::bigint FROM referral_reward_ledger WHERE organization_id = @o AND transition = 'approved'", ("o", scenario.Organization.Id)));
        var rules = await fixture.Api.GetAsync("/api/referrals/reward-rules", owner.Token()).OkJsonAsync();
        Assert.Equal(9000L, rules.GetProperty("spentThisPeriodCents").GetInt64());

        // A rejected approval gives its cents back to the period (Dub's spend limits count what is owed), so one more fits.
        var approvedOnes = rewards.Where((_, i) => outcomes[i].Status == 200).ToList();
        await fixture.TransitionAsync(approvedOnes[0], "reject", owner.Token(), "duplicate household").OkJsonAsync();
        var refused = rewards.Where((_, i) => outcomes[i].Status != 200).ToList();
        await fixture.TransitionAsync(refused[0], "approve", owner.Token()).OkJsonAsync();
        using (var full = await fixture.TransitionAsync(refused[1], "approve", owner.Token()))
        {
            await full.AssertProblemAsync(409);
        }

        rules = await fixture.Api.GetAsync("/api/referrals/reward-rules", owner.Token()).OkJsonAsync();
        Assert.Equal(9000L, rules.GetProperty("spentThisPeriodCents").GetInt64());
    }

    [Fact]
    public async Task Without_rules_a_conversion_answers_as_before_and_every_reward_state_is_its_last_ledger_entry()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        var (_, _, reward, _) = await scenario.ConvertedAsync(fixture, owner);

        var listed = await fixture.Api.GetAsync("/api/referrals/rewards", owner.Token()).OkJsonAsync();
        Assert.Equal("granted", listed.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetGuid() == reward).GetProperty("status").GetString());
        Assert.Equal("approved", (await fixture.RewardAsync(reward, owner.Token())).GetProperty("state").GetString());

        // Across every reward in the database (other tests' included): state = last transition, and the sums agree with it.
        var drift = await fixture.ExecuteAsync("""
            SELECT count(*) FROM referral_rewards w
            JOIN LATERAL (SELECT sum(l.pending_cents) AS p, sum(l.owed_cents) AS o, sum(l.paid_cents) AS d,
                                 (array_agg(l.transition ORDER BY l.created_at DESC, array_position(ARRAY['pending','approved','fulfilled','revoked','clawed_back'], l.transition) DESC))[1] AS last
                          FROM referral_reward_ledger l WHERE l.reward_id = w.id) s ON true
            WHERE s.last IS DISTINCT FROM w.state
               OR (w.state = 'pending' AND (s.p, s.o, s.d) <> (w.amount_cents, 0, 0))
               OR (w.state = 'approved' AND (s.p, s.o, s.d) <> (0, w.amount_cents, 0))
               OR (w.state = 'fulfilled' AND (s.p, s.o, s.d) <> (0, 0, w.amount_cents))
               OR (w.state = 'revoked' AND (s.p, s.o, s.d) <> (0, 0, 0))
               OR (w.state = 'clawed_back' AND (s.p, s.o, s.d) <> (0, -w.amount_cents, w.amount_cents))
            """);
        Assert.Equal(0L, drift);
    }
}
