using System.Text.Json;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Done-when 2: a table without RLS shows everywhere monitoring looks (rls, advisor, summary, the
/// sampler's event), and securing it clears every one of them.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RlsRiskTests(AppHostFixture fixture)
{
    private static readonly TimeSpan SamplerWait = AppHostFixture.SamplerInterval * 6;

    [Fact]
    public async Task Table_without_rls_is_flagged_everywhere_and_cleared_by_enabling_rls_and_a_policy()
    {
        var table = $"monitoring_probe_{Guid.NewGuid():N}"[..40];
        var qualified = $"public.{table}";
        var before = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
        Assert.DoesNotContain(Recommendations(before), r => r.Contains(table, StringComparison.Ordinal));

        await fixture.ExecuteAsync($"CREATE TABLE {table} (id uuid PRIMARY KEY, organization_id uuid NOT NULL)");
        try
        {
            var rls = await fixture.Api.GetOkAsync("/api/monitoring/rls");
            Assert.Equal("HIGH", RiskOf(rls, table));
            var advisor = await fixture.Api.GetFreshOkAsync("/api/monitoring/advisor");
            Assert.Contains(Findings(advisor), f => f.Level == "error" && f.Check == "rls_disabled" && f.Object == qualified);
            var flagged = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.True(Score(flagged) < Score(before), $"score {Score(flagged)} did not drop below {Score(before)}");
            Assert.Contains(Recommendations(flagged), r => r.Contains(table, StringComparison.Ordinal));
            Assert.True(flagged.GetProperty("advisor").GetProperty("errors").GetInt32() > before.GetProperty("advisor").GetProperty("errors").GetInt32());

            var opened = await MonitoringCalls.PollAsync(() => OpenEventAsync(qualified), id => id is not null, SamplerWait);
            Assert.True(opened is not null, "the sampler recorded no event for the table");
            // One open event per condition, however many ticks see it.
            await Task.Delay(AppHostFixture.SamplerInterval * 2);
            Assert.Equal(1L, await fixture.ExecuteAsync("SELECT count(*) FROM monitoring_events WHERE condition_key = @key", ("key", $"rls:{qualified}")));

            await fixture.ExecuteAsync($"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY");
            await fixture.ExecuteAsync(
                $"CREATE POLICY {table}_tenant ON {table} TO wedsync_user USING (organization_id = (SELECT app.current_organization_id()))");

            rls = await fixture.Api.GetOkAsync("/api/monitoring/rls");
            Assert.Equal("LOW", RiskOf(rls, table));
            advisor = await fixture.Api.GetFreshOkAsync("/api/monitoring/advisor");
            Assert.DoesNotContain(Findings(advisor), f => f.Object.Contains(table, StringComparison.Ordinal));

            var resolvedNotes = await MonitoringCalls.PollAsync(
                () => fixture.ExecuteAsync("SELECT resolution_notes FROM monitoring_events WHERE id = @id", ("id", opened!.Value)),
                notes => notes is not null, SamplerWait);
            Assert.Equal("condition cleared", resolvedNotes);

            var cleared = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.DoesNotContain(Recommendations(cleared), r => r.Contains(table, StringComparison.Ordinal));
            Assert.True(Score(cleared) > Score(flagged), $"score {Score(cleared)} did not recover above {Score(flagged)}");
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {table}");
        }
    }

    /// <summary>
    /// Issue 15: an exception accepted in the catalog never counts against the score. Accepting a table's
    /// missing RLS by its comment gives back the points its risk cost, takes it out of the recommendations,
    /// and the advisor lists it as accepted with the reason.
    /// </summary>
    [Fact]
    public async Task Accepted_rls_exception_costs_the_score_nothing()
    {
        var table = $"monitoring_accepted_{Guid.NewGuid():N}"[..40];
        var qualified = $"public.{table}";
        var before = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
        await fixture.ExecuteAsync($"CREATE TABLE {table} (code text PRIMARY KEY)");
        try
        {
            var flagged = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.True(Score(flagged) < Score(before), $"score {Score(flagged)} did not drop below {Score(before)}");

            await fixture.ExecuteAsync($"COMMENT ON TABLE {table} IS 'Country codes.\nadvisor: allow rls_disabled: reference data, the same for every tenant'");
            var accepted = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.True(Score(accepted) > Score(flagged), $"score {Score(accepted)} did not rise above {Score(flagged)}");
            Assert.Equal(0, accepted.GetProperty("metrics").GetProperty("tablesRlsHighRisk").GetInt32()
                - before.GetProperty("metrics").GetProperty("tablesRlsHighRisk").GetInt32());
            Assert.DoesNotContain(Recommendations(accepted), r => r.Contains(table, StringComparison.Ordinal));
            var advisor = await fixture.Api.GetFreshOkAsync("/api/monitoring/advisor");
            Assert.DoesNotContain(Findings(advisor), f => f.Object == qualified);
            Assert.Contains(advisor.GetProperty("accepted").EnumerateArray(), a =>
                a.GetProperty("check").GetString() == "rls_disabled" && a.GetProperty("object").GetString() == qualified
                && a.GetProperty("reason").GetString() == "reference data, the same for every tenant");
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {table}");
        }
    }

    private async Task<Guid?> OpenEventAsync(string qualified) =>
        await fixture.ExecuteAsync(
            "SELECT id FROM monitoring_events WHERE condition_key = @key AND resolved_at IS NULL AND event_type = 'rls_violation'",
            ("key", $"rls:{qualified}")) as Guid?;

    private static int Score(JsonElement summary) => summary.GetProperty("healthScore").GetInt32();

    private static List<string> Recommendations(JsonElement summary) =>
        summary.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()!).ToList();

    private static string? RiskOf(JsonElement rls, string table) =>
        rls.GetProperty("items").EnumerateArray()
            .Where(t => t.GetProperty("tableName").GetString() == table)
            .Select(t => t.GetProperty("riskLevel").GetString())
            .SingleOrDefault();

    private static List<(string Level, string Check, string Object)> Findings(JsonElement advisor) =>
        advisor.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("level").GetString()!, f.GetProperty("check").GetString()!, f.GetProperty("object").GetString()!))
            .ToList();
}
