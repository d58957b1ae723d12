using System.Text.Json;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring.Shapes;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>The advisor's schema checks find what a migration got wrong, and stop finding it once fixed.</summary>
[Collection(AppHostCollection.Name)]
public sealed class AdvisorTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Advisor_finds_unindexed_foreign_key_missing_primary_key_duplicate_index_mutable_search_path_and_per_row_policy()
    {
        var p = $"adv_{Guid.NewGuid():N}"[..20];
        var setup = $"""
            CREATE TABLE {p}_parent (id uuid PRIMARY KEY);
            CREATE TABLE {p}_child (id uuid PRIMARY KEY, parent_id uuid REFERENCES {p}_parent (id), organization_id uuid);
            CREATE TABLE {p}_nopk (x integer);
            CREATE INDEX {p}_dup_a ON {p}_nopk (x);
            CREATE INDEX {p}_dup_b ON {p}_nopk (x);
            CREATE FUNCTION {p}_fn() RETURNS integer LANGUAGE sql AS 'SELECT 1';
            CREATE FUNCTION {p}_fixed() RETURNS integer LANGUAGE sql SET search_path = pg_catalog AS 'SELECT 1';
            ALTER TABLE {p}_child ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_per_row ON {p}_child USING (organization_id = app.current_organization_id());
            ALTER TABLE {p}_parent ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_wrapped ON {p}_parent USING ((SELECT app.is_platform_admin()));
            """;
        await fixture.ExecuteAsync(setup);
        try
        {
            var findings = await FindingsAsync(p);
            Assert.Contains(findings, f => f.Check == "unindexed_foreign_key" && f.Object.Contains($"{p}_child (parent_id)", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Check == "no_primary_key" && f.Object == $"public.{p}_nopk");
            Assert.Contains(findings, f => f.Check == "duplicate_index" && f.Object.Contains($"{p}_dup_a, {p}_dup_b", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Check == "mutable_search_path" && f.Object == $"public.{p}_fn()");
            Assert.DoesNotContain(findings, f => f.Object.Contains($"{p}_fixed", StringComparison.Ordinal));
            Assert.Contains(findings, f => f.Check == "policy_per_row" && f.Object.StartsWith($"{p}_per_row on", StringComparison.Ordinal));
            Assert.DoesNotContain(findings, f => f.Check == "policy_per_row" && f.Object.Contains($"{p}_wrapped", StringComparison.Ordinal));
            Assert.All(findings, f => Assert.Contains(f.Level, new[] { "error", "warn", "info" }));

            await fixture.ExecuteAsync($"""
                CREATE INDEX {p}_child_parent ON {p}_child (parent_id);
                DROP INDEX {p}_dup_b;
                ALTER TABLE {p}_nopk ADD COLUMN id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
                ALTER FUNCTION {p}_fn() SET search_path = pg_catalog;
                ALTER POLICY {p}_per_row ON {p}_child USING (organization_id = (SELECT app.current_organization_id()));
                """);
            var after = await FindingsAsync(p);
            Assert.DoesNotContain(after, f => f.Check is "unindexed_foreign_key" or "no_primary_key" or "duplicate_index" or "mutable_search_path" or "policy_per_row");
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_child, {p}_parent, {p}_nopk; DROP FUNCTION IF EXISTS {p}_fn(); DROP FUNCTION IF EXISTS {p}_fixed();");
        }
    }

    [Fact]
    public async Task Duplicate_index_is_reported_only_when_one_index_serves_every_use_of_the_other()
    {
        var p = $"dup_{Guid.NewGuid():N}"[..20];
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p} (id integer PRIMARY KEY, a integer, b integer, x text);
            CREATE INDEX {p}_ab ON {p} (a, b);
            CREATE INDEX {p}_ab_desc ON {p} (a, b DESC);
            CREATE INDEX {p}_ab_nulls_first ON {p} (a, b NULLS FIRST);
            CREATE UNIQUE INDEX {p}_u ON {p} (b);
            CREATE UNIQUE INDEX {p}_u_nnd ON {p} (b) NULLS NOT DISTINCT;
            CREATE INDEX {p}_b_plain ON {p} (b);
            CREATE INDEX {p}_x_c ON {p} (x COLLATE "C");
            CREATE INDEX {p}_x_pattern ON {p} (x text_pattern_ops);
            CREATE INDEX {p}_x ON {p} (x);
            CREATE INDEX {p}_x_hash ON {p} USING hash (x);
            CREATE INDEX {p}_a_positive ON {p} (a) WHERE a > 0;
            CREATE INDEX {p}_a ON {p} (a);
            CREATE INDEX {p}_lower_1 ON {p} (lower(x));
            CREATE INDEX {p}_lower_second ON {p} (lower(x));
            """);
        try
        {
            var duplicates = (await fixture.Api.FindingsAboutAsync(p)).Where(f => f.Check == "duplicate_index").Select(f => f.Object).ToList();
            // Deparsed, equal expressions are equal whatever the statement that created them looked like.
            Assert.Equal([$"public.{p}: {p}_lower_1, {p}_lower_second"], duplicates);
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}");
        }
    }

    [Fact]
    public async Task Summary_and_advisor_reuse_a_recent_result_until_the_caller_asks_for_a_fresh_one()
    {
        var table = $"adv_cache_{Guid.NewGuid():N}"[..24];
        foreach (var path in new[] { "/api/monitoring/advisor", "/api/monitoring/summary" })
        {
            var first = await fixture.Api.GetOkWithAgeAsync(path, fresh: true);
            Assert.True(first.Age is { TotalSeconds: < 5 }, $"{path}: a fresh result says Age {first.Age}");
        }

        await fixture.ExecuteAsync($"CREATE TABLE {table} (x integer)");
        try
        {
            // Within Monitoring:ResultMaxAge the computed result is served again, saying how old it is.
            var reusedAdvice = await fixture.Api.GetOkWithAgeAsync("/api/monitoring/advisor", fresh: false);
            Assert.NotNull(reusedAdvice.Age);
            Assert.DoesNotContain(ObjectsOf(reusedAdvice.Body), o => o.Contains(table, StringComparison.Ordinal));
            // The summary may be newer than the change: the sampler hands in the summary of every tick.
            var reusedSummary = await fixture.Api.GetOkWithAgeAsync("/api/monitoring/summary", fresh: false);
            Assert.NotNull(reusedSummary.Age);

            var freshAdvice = await fixture.Api.GetFreshOkAsync("/api/monitoring/advisor");
            Assert.Contains(ObjectsOf(freshAdvice), o => o == $"public.{table}");
            Assert.True(freshAdvice.GetProperty("generatedAt").GetDateTimeOffset() > reusedAdvice.Body.GetProperty("generatedAt").GetDateTimeOffset());
            var counts = freshAdvice.GetProperty("counts");
            Assert.Equal(freshAdvice.GetProperty("findings").GetArrayLength(),
                counts.GetProperty("errors").GetInt32() + counts.GetProperty("warnings").GetInt32() + counts.GetProperty("info").GetInt32());
            var freshSummary = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.Contains(RecommendationsOf(freshSummary), r => r.Contains(table, StringComparison.Ordinal));
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {table}");
        }
    }

    private static IEnumerable<string> ObjectsOf(JsonElement advisor) =>
        advisor.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("object").GetString()!);

    private static IEnumerable<string> RecommendationsOf(JsonElement summary) =>
        summary.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()!);

    private async Task<List<(string Level, string Check, string Object)>> FindingsAsync(string prefix)
    {
        var advisor = await fixture.Api.GetFreshOkAsync("/api/monitoring/advisor");
        return advisor.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("level").GetString()!, f.GetProperty("check").GetString()!, f.GetProperty("object").GetString()!))
            .Where(f => f.Item3.Contains(prefix, StringComparison.Ordinal))
            .ToList();
    }
}
