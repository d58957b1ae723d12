using System.Text.Json.Nodes;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Plan;

/// <summary><c>plan</c> against the real server: what up would run, with findings and lock/size lines, and nothing changed.</summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class PlanCommandTests(AppHostFixture fixture)
{
    // Every relation, column, constraint and journal row: any change plan made would show here.
    private const string CatalogFingerprint = """
        SELECT md5(coalesce((SELECT string_agg(c.oid || ':' || c.relname || ':' || c.relfilenode || ':' || c.relkind::text, ',' ORDER BY c.oid) FROM pg_class c), '')
            || coalesce((SELECT string_agg(a.attrelid || '.' || a.attname || ':' || a.atttypid, ',' ORDER BY a.attrelid, a.attnum) FROM pg_attribute a), '')
            || coalesce((SELECT string_agg(co.conname, ',' ORDER BY co.oid) FROM pg_constraint co), '')
            || coalesce((SELECT string_agg(n.nspname, ',' ORDER BY n.oid) FROM pg_namespace n), ''))
        """;

    [Fact]
    public async Task Plan_on_an_empty_database_lists_every_pending_request_and_changes_nothing()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var before = await database.ScalarAsync(CatalogFingerprint);

        var (exitCode, stdout, output) = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", "--json");

        Assert.Equal(before, await database.ScalarAsync(CatalogFingerprint));
        Assert.True(exitCode is 0 or 1, output);
        var requests = JsonNode.Parse(stdout)!.AsArray();
        Assert.Contains(requests, r => r!["request"]!.GetValue<string>() == "WS-153");
        Assert.Contains(requests, r => r!["request"]!.GetValue<string>() == "WS-170");
        Assert.All(requests, r => Assert.NotEmpty(r!["scripts"]![0]!["statements"]!.AsArray()));
    }

    [Fact]
    public async Task Plan_shows_the_lock_and_live_size_of_each_existing_table_and_the_findings()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var folder = TestScripts.Folder(
            ("29990101000000_referral_note.sql", "SET LOCAL lock_timeout = '5s';\nALTER TABLE referrals ADD COLUMN plan_note text;\n"),
            ("29990101000001_referral_index.sql", "CREATE INDEX IF NOT EXISTS ix_referrals_plan_note ON referrals (plan_note);\n"));
        try
        {
            var before = await database.ScalarAsync(CatalogFingerprint);

            var (exitCode, stdout, output) = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.Equal(before, await database.ScalarAsync(CatalogFingerprint));
            Assert.True(exitCode == 1, output);
            Assert.Contains("29990101000000_referral_note.sql", stdout);
            Assert.Contains("2: ALTER TABLE referrals ADD COLUMN plan_note text", stdout);
            Assert.Matches(@"lock ACCESS EXCLUSIVE on referrals, [\d,]+ rows, \d+ (bytes|kB|MB)", stdout);
            Assert.Matches(@"lock SHARE on referrals, [\d,]+ rows", stdout);
            Assert.Contains("29990101000001_referral_index.sql:1:1: error [lock-index-not-concurrent]", stdout);
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('ix_referrals_plan_note')::text"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }
}
