using DbUp;
using Microsoft.Extensions.Logging.Abstractions;
using WedSync.Migrations;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;
using WedSync.Migrations.Status;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>The migration engine in-process against a real, fresh PostgreSQL database per test.</summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class MigrationEngineTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Empty_database_gets_every_script_in_order_and_a_second_run_applies_nothing()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var engine = TestScripts.Engine(database.ConnectionString);

        var first = await engine.UpAsync(CancellationToken.None);
        var second = await engine.UpAsync(CancellationToken.None);

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(TestScripts.RealCatalog.Scripts.Select(s => s.Name), first.Applied);
        Assert.True(second.Succeeded, second.Error);
        Assert.Empty(second.Applied);
        Assert.Equal((long)first.Applied.Count, await database.ScalarAsync(
            "SELECT count(*) FROM wedsync_migrations.journal WHERE checksum ~ '^[0-9a-f]{64}$' AND duration_ms >= 0"));
    }

    [Fact]
    public async Task Edited_applied_script_stops_the_run_before_anything_is_applied_until_repaired()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var real = TestScripts.RealCatalog;
        Assert.True((await TestScripts.Engine(database.ConnectionString, real).UpAsync(CancellationToken.None)).Succeeded);
        var edited = real.Scripts[1].Name;
        var changed = TestScripts.WithExtra(
            TestScripts.WithEdited(real, edited, "\n-- edited after it ran\n"),
            "29990101000000_new_table.sql", "CREATE TABLE drift_probe (id uuid PRIMARY KEY);");

        var refused = await TestScripts.Engine(database.ConnectionString, changed).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.DriftDetected, refused.ExitCode);
        Assert.Contains(edited, refused.Error);
        Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.drift_probe')::text"));

        var repaired = await TestScripts.Engine(database.ConnectionString, changed).RepairAsync([edited], CancellationToken.None);
        var after = await TestScripts.Engine(database.ConnectionString, changed).UpAsync(CancellationToken.None);

        Assert.Equal([edited], repaired.Applied);
        Assert.True(after.Succeeded, after.Error);
        Assert.Equal(["29990101000000_new_table.sql"], after.Applied);
    }

    [Fact]
    public async Task Failing_script_rolls_back_whole_and_names_script_error_code_and_position()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var broken = TestScripts.WithExtra(TestScripts.RealCatalog, "29990101000000_broken.sql",
            "CREATE TABLE half_done (id uuid PRIMARY KEY);\nSELECT no_such_column FROM half_done;\n");

        var outcome = await TestScripts.Engine(database.ConnectionString, broken).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptFailed, outcome.ExitCode);
        Assert.Contains("29990101000000_broken.sql", outcome.Error);
        Assert.Contains("42703", outcome.Error);
        Assert.Contains("position", outcome.Error);
        Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.half_done')::text"));
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));
    }

    [Fact]
    public async Task Manifest_entry_without_its_script_is_missing_file_and_verify_fails()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var manifest = RequestManifest.Embedded().With("WS-999", "29990101000000_never_written.sql");
        var engine = TestScripts.Engine(database.ConnectionString, manifest: manifest);
        Assert.True((await engine.UpAsync(CancellationToken.None)).Succeeded);

        var report = await engine.StatusAsync(CancellationToken.None);
        using var output = new StringWriter();
        var verify = await new MigratorCli(engine, NullLogger<MigratorCli>.Instance, output)
            .RunAsync(new MigratorCommand("verify", [], Json: false), CancellationToken.None);

        Assert.Equal(RequestState.MissingFile, report.Requests.Single(r => r.RequestId == "WS-999").State);
        Assert.Equal(RequestState.Complete, report.Requests.Single(r => r.RequestId == "WS-170").State);
        Assert.Equal(MigrationOutcome.VerifyFailed, verify);
        Assert.Matches(@"\| WS-999 \| [^|]* \| [^|]* \| missing file \| not applied \| missing \|", output.ToString());
    }

    [Fact]
    public async Task Database_migrated_by_plain_dbup_is_taken_over_without_rerunning_anything()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var firstTwo = TestScripts.RealCatalog.Scripts.Take(2).ToList();
        var plain = DeployChanges.To.PostgresqlDatabase(database.ConnectionString)
            .WithScripts(firstTwo.Select(s => new DbUp.Engine.SqlScript(s.Name, s.Contents))).WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
        Assert.True(plain.Successful);

        var outcome = await TestScripts.Engine(database.ConnectionString).UpAsync(CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.DoesNotContain(firstTwo[0].Name, outcome.Applied);
        Assert.DoesNotContain(firstTwo[1].Name, outcome.Applied);
        Assert.Equal(TestScripts.RealCatalog.Scripts.Count - 2, outcome.Applied.Count);
        Assert.True((await TestScripts.Engine(database.ConnectionString).StatusAsync(CancellationToken.None)).IsClean);
    }

    [Fact]
    public async Task Script_applied_and_no_longer_embedded_is_reported_unknown()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var withExtra = TestScripts.WithExtra(TestScripts.RealCatalog, "29990101000000_retired.sql", "SELECT 1;");
        Assert.True((await TestScripts.Engine(database.ConnectionString, withExtra).UpAsync(CancellationToken.None)).Succeeded);

        var report = await TestScripts.Engine(database.ConnectionString).StatusAsync(CancellationToken.None);

        Assert.Equal(ScriptState.Unknown, report.Scripts.Single(s => s.Name == "29990101000000_retired.sql").State);
    }
}
