using Microsoft.Extensions.Logging.Abstractions;
using WedSync.Migrations;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Engine;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Status;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Repeatable scripts (Migrations/Repeatable/, Flyway's R__): run after every versioned script, again
/// whenever their text changes and never otherwise, each run in one transaction with its journal row.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RepeatableScriptTests(AppHostFixture fixture)
{
    private const string Versioned = "29990101000000_repeat_runs.sql";

    // Named to sort before the versioned script: only DbUp's run group puts it after.
    private const string Repeatable = "00000000000000_repeat_version.sql";

    [Fact]
    public async Task Changed_text_reruns_once_unchanged_text_does_not_and_it_runs_after_every_versioned_script()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);

        var first = await Engine(database, 1).UpAsync(CancellationToken.None);
        var unchanged = await Engine(database, 1).UpAsync(CancellationToken.None);
        var changed = await Engine(database, 2).UpAsync(CancellationToken.None);
        var again = await Engine(database, 2).UpAsync(CancellationToken.None);
        // flyway/flyway#1358: text reverted to an earlier version runs again (the journal keeps the latest run's checksum).
        var reverted = await Engine(database, 1).UpAsync(CancellationToken.None);

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal([Versioned, Repeatable], first.Applied);
        Assert.Empty(unchanged.Applied);
        Assert.Equal([Repeatable], changed.Applied);
        Assert.Empty(again.Applied);
        Assert.Equal([Repeatable], reverted.Applied);
        Assert.Equal(1, await database.ScalarAsync("SELECT repeat_version()"));
        Assert.Equal("1,2,1", await database.ScalarAsync("SELECT string_agg(text_version::text, ',' ORDER BY id) FROM repeat_runs"));
        Assert.Equal(ScriptChecksum.Of(Text(1)), await database.ScalarAsync($"SELECT checksum FROM wedsync_migrations.journal WHERE script_name = '{Repeatable}'"));
        Assert.All((await Engine(database, 1).StatusAsync(CancellationToken.None)).Scripts, s => Assert.Equal(ScriptState.Applied, s.State));
    }

    [Fact]
    public async Task A_failed_rerun_rolls_back_whole_and_stays_pending()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        Assert.True((await Engine(database, 1).UpAsync(CancellationToken.None)).Succeeded);

        var failed = await Engine(database, 3, "\nSELECT 1 / 0;").UpAsync(CancellationToken.None);
        var status = await Engine(database, 3, "\nSELECT 1 / 0;").StatusAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptFailed, failed.ExitCode);
        Assert.Contains(Repeatable, failed.Error);
        Assert.Equal(1, await database.ScalarAsync("SELECT repeat_version()"));
        Assert.Equal("1", await database.ScalarAsync("SELECT string_agg(text_version::text, ',') FROM repeat_runs"));
        // flyway/flyway#1428: the failed text, once fixed, runs; no checksum of the failed run stands in its way.
        var fixedUp = await Engine(database, 3).UpAsync(CancellationToken.None);
        var script = status.Scripts.Single(s => s.Name == Repeatable);
        Assert.Equal(ScriptState.Pending, script.State);
        Assert.Equal(ScriptChecksum.Of(Text(1)), script.AppliedChecksum);
        Assert.Equal([Repeatable], fixedUp.Applied);
        Assert.Equal(3, await database.ScalarAsync("SELECT repeat_version()"));
    }

    [Fact]
    public async Task Status_shows_a_changed_repeatable_as_pending_not_modified_and_drift_sees_its_object()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        Assert.True((await Engine(database, 1).UpAsync(CancellationToken.None)).Succeeded);

        var before = await Engine(database, 2).StatusAsync(CancellationToken.None);
        await database.ScalarAsync("CREATE OR REPLACE FUNCTION repeat_version() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$");
        var drift = await Engine(database, 2).SchemaDriftAsync(CancellationToken.None);
        var up = await Engine(database, 2).UpAsync(CancellationToken.None);
        var after = await Engine(database, 2).StatusAsync(CancellationToken.None);
        var driftAfter = await Engine(database, 2).SchemaDriftAsync(CancellationToken.None);

        Assert.Equal(ScriptState.Pending, before.Scripts.Single(s => s.Name == Repeatable).State);
        Assert.Empty(before.Modified);
        Assert.Contains(drift.Objects, o => o.Name.Contains("repeat_version", StringComparison.Ordinal));
        Assert.True(up.Succeeded, up.Error);
        Assert.Equal([Repeatable], up.Applied);
        Assert.Equal(ScriptState.Applied, after.Scripts.Single(s => s.Name == Repeatable).State);
        Assert.False(driftAfter.Drifted);
        Assert.Equal(2, await database.ScalarAsync("SELECT repeat_version()"));
    }

    [Fact]
    public void The_monitoring_summary_is_one_repeatable_script_of_the_schema_catalog()
    {
        var catalog = ScriptCatalog.ForSchema(null);

        var summary = Assert.Single(catalog.Scripts, s => s.Kind == ScriptKind.Repeatable && s.Contents.Contains("FUNCTION get_db_monitoring_summary()", StringComparison.Ordinal));

        // Every script after it is repeatable too (other restated objects have their own files): it runs after every versioned one.
        Assert.All(catalog.Scripts.SkipWhile(s => s != summary), s => Assert.Equal(ScriptKind.Repeatable, s.Kind));
        Assert.Equal(summary, TestScripts.RealCatalog.Find(summary.Name));
    }

    private static string Text(int version, string extra = "") =>
        $"CREATE OR REPLACE FUNCTION repeat_version() RETURNS integer LANGUAGE sql AS $$ SELECT {version} $$;\n" +
        $"INSERT INTO repeat_runs (text_version) VALUES ({version});{extra}\n";

    private static MigrationEngine Engine(MigratorDatabase database, int version, string extra = "") =>
        new(database.ConnectionString,
            new ScriptCatalog(
            [
                new SqlScript(Versioned, "CREATE TABLE repeat_runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, text_version integer NOT NULL);\n"),
                new SqlScript(Repeatable, Text(version, extra), ScriptKind.Repeatable),
            ]),
            RequestManifest.Embedded(), new MigratorOptions { LockTimeout = TimeSpan.FromSeconds(30) }, NullLoggerFactory.Instance, lintPendingScripts: false);
}
