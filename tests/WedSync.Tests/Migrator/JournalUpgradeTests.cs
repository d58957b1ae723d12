using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// The journal written by an earlier migrator (without run ids and --allow overrides) is upgraded in place by
/// the next up, idempotently, and stays writable by the earlier migrator's INSERT.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class JournalUpgradeTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Journal_of_an_earlier_migrator_gains_run_id_and_allowed_rules_and_old_writers_still_insert()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await database.ScalarAsync($"""
            CREATE SCHEMA wedsync_migrations;
            CREATE TABLE wedsync_migrations.journal (
                script_name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text NOT NULL,
                duration_ms integer, applied_by text NOT NULL, migrator_version text NOT NULL);
            INSERT INTO wedsync_migrations.journal (script_name, checksum, applied_by, migrator_version)
            VALUES ('29990101000000_old.sql', '{ScriptChecksum.Of("SELECT 1;")}', 'earlier migrator', '0.9');
            """);
        var status = await TestScripts.EngineFor(database.ConnectionString, [new SqlScript("29990101000000_old.sql", "SELECT 1;")]).StatusAsync(CancellationToken.None);
        Assert.Single(status.Scripts, s => s.Name == "29990101000000_old.sql");

        for (var run = 1; run <= 2; run++)
        {
            var outcome = await TestScripts.EngineFor(database.ConnectionString,
                [new SqlScript("29990101000000_old.sql", "SELECT 1;"), new SqlScript($"29990101000{run:000}_new.sql", $"SELECT {run + 1};")])
                .UpAsync(CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Error);
        }

        Assert.Equal("{}|true", await database.ScalarAsync(
            "SELECT allowed_lint_rules::text || '|' || (run_id IS NULL)::text FROM wedsync_migrations.journal WHERE script_name = '29990101000000_old.sql'"));
        Assert.Equal(2L, await database.ScalarAsync("SELECT count(DISTINCT run_id) FROM wedsync_migrations.journal WHERE script_name LIKE '%_new.sql'"));
        await database.ScalarAsync("""
            INSERT INTO wedsync_migrations.journal (script_name, checksum, applied_by, migrator_version)
            VALUES ('29990101000099_by_old_migrator.sql', 'y', 'earlier migrator', '0.9')
            """);
        Assert.Equal("{}", await database.ScalarAsync(
            "SELECT allowed_lint_rules::text FROM wedsync_migrations.journal WHERE script_name = '29990101000099_by_old_migrator.sql'"));
    }
}
