using System.Runtime.Versioning;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 27 behind a transaction-mode pooler: an API whose connection string points at a real PgBouncer
/// (3 server connections) answers 20 parallel approvals, fulfilments and refunds with exactly one ledger
/// entry per transition and the spend cap exact: the ledger relies on row locks and unique entries inside
/// each transaction, nothing a pooled server session could carry from one client to the next.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RewardLedgerUnderPgBouncerTests(AppHostFixture fixture)
{
    private const int Parallel = 20;

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Twenty_parallel_requests_through_pgbouncer_write_one_entry_per_transition_and_keep_the_cap_exact()
    {
        Assert.True(File.Exists(PgBouncerProcess.Binary), "pgbouncer is not installed (.ci/run installs it)");
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN"]);
        var owner = scenario.Organization["OWNER"];
        var admin = scenario.Organization["ADMIN"];
        // Everything waits for review; the cap leaves room for six 1500-cent rewards (9000 of 10000).
        await fixture.SetRulesAsync(owner, new { autoApproveBelowCents = 0, spendCapCents = 10_000, spendCapPeriod = "month" });
        var converted = new List<(Guid ReferredUser, Guid Reward)>();
        foreach (var referrer in new[] { owner, admin })
        {
            for (var i = 0; i < Parallel / 4; i++)
            {
                var (_, user, reward, _) = await scenario.ConvertedAsync(fixture, referrer);
                converted.Add((user, reward));
            }
        }

        await using var bouncer = await PgBouncerProcess.StartAsync(fixture.DatabaseConnectionString, poolSize: 3);
        await using var api = await ApiServer.StartAsync(bouncer.ConnectionString, new Dictionary<string, string>());

        // Twenty approvals at once, two for each of ten rewards: six fit the cap, each approved once.
        var rewards = converted.Select(c => c.Reward).ToList();
        var approvals = await RewardLedgerCalls.AllAsync(rewards.Concat(rewards).Select(r =>
            api.Client.PostJsonAsync($"/api/referrals/rewards/{r}/approve", owner.Token(), new { reason = "pooled" })));
        Assert.All(approvals, a => Assert.True(a.Status is 200 or 409, $"{a.Status} {a.Body}"));
        var approvedEntries = new Dictionary<Guid, long>();
        foreach (var reward in rewards)
        {
            approvedEntries[reward] = await fixture.EntriesAsync(reward, "approved");
        }

        Assert.All(approvedEntries.Values, n => Assert.InRange(n, 0L, 1L));
        Assert.Equal(6, approvedEntries.Values.Count(n => n == 1));
        Assert.Equal(9000L, await fixture.ExecuteAsync(
            "SELECT sum(owed_cents)::bigint FROM referral_reward_ledger WHERE organization_id = @o AND transition = 'approved'", ("o", scenario.Organization.Id)));

        // Billing acknowledges one reward twenty times at once, then refunds its customer twenty times at once.
        var (referredUser, approved) = converted.First(c => approvedEntries[c.Reward] == 1);
        var fulfilments = await RewardLedgerCalls.AllAsync(Enumerable.Range(0, Parallel).Select(_ =>
            api.Client.PostJsonAsync($"/api/referrals/rewards/{approved}/fulfilled", ReferralScenario.ServiceToken, new { reason = "credit note" })));
        Assert.All(fulfilments, f => Assert.True(f.Status == 200, $"{f.Status} {f.Body}"));
        Assert.Single(fulfilments, f => !f.Body.GetProperty("alreadyApplied").GetBoolean());
        Assert.Equal(1L, await fixture.EntriesAsync(approved, "fulfilled"));

        var refunds = await RewardLedgerCalls.AllAsync(Enumerable.Range(0, Parallel).Select(_ =>
            api.Client.PostJsonAsync("/api/referrals/refunds", ReferralScenario.ServiceToken,
                new { referredUserId = referredUser, @event = "cancelled", occurredAt = DateTimeOffset.UtcNow })));
        Assert.All(refunds, r => Assert.True(r.Status == 200, $"{r.Status} {r.Body}"));
        Assert.Equal(1L, await fixture.EntriesAsync(approved, "clawed_back"));
        Assert.Equal("clawed_back", await fixture.ExecuteAsync("SELECT state FROM referral_rewards WHERE id = @r", ("r", approved)));
    }
}
