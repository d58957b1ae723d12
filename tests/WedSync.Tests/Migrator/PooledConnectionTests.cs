using WedSync.Migrations.Catalog;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>Issue 13, kind 7: behind a transaction pooler the run's lock still holds.</summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class PooledConnectionTests(AppHostFixture fixture)
{
    // The example: two `up` runs through PgBouncer in transaction mode both ran the same script.
    [Fact]
    public async Task Two_migrators_behind_pgbouncer_in_transaction_mode_apply_each_script_once()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await using var bouncer = await PgBouncerProcess.StartAsync(database.ConnectionString);
        var pooled = bouncer.ClientConnectionString(database.ConnectionString);
        // Slow enough that both runs overlap; not idempotent, so a second application fails.
        var folder = TestScripts.Folder("29990101000000_once.sql", "CREATE TABLE applied_once (id int);\nSELECT pg_sleep(1);\n");
        try
        {
            var runs = await Task.WhenAll(
                MigratorProcess.RunAsync(pooled, "up", $"--Migrations:AdditionalScriptsPath={folder}", "--allow", "primary-key", "--allow", "row-level-security"),
                MigratorProcess.RunAsync(pooled, "up", $"--Migrations:AdditionalScriptsPath={folder}", "--allow", "primary-key", "--allow", "row-level-security"));

            Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Output));
            Assert.Single(runs, run => run.Output.Contains("No pending scripts", StringComparison.Ordinal));
            Assert.Equal((long)ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder).Scripts.Count + 1,
                await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Another instance: a no-transaction script (each statement its own transaction, so each may reach
    // another server session) through the pooler, while the lock's transaction stays open.
    [Fact]
    public async Task No_transaction_script_behind_pgbouncer_builds_its_index_concurrently()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await using var bouncer = await PgBouncerProcess.StartAsync(database.ConnectionString);
        await database.ScalarAsync("CREATE TABLE pooled_t (a int)");

        var outcome = await TestScripts.EngineFor(bouncer.ClientConnectionString(database.ConnectionString),
        [
            new SqlScript("29990101000000_ix.sql", "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_pooled ON pooled_t (a);\n"),
            new SqlScript("29990101000001_path.sql", "SELECT set_config('search_path', '', false);\n"),
            new SqlScript("29990101000002_next.sql", "CREATE TABLE t_after_path (id int);\n"),
        ]).UpAsync(CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(true, await database.ScalarAsync("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.ix_pooled')"));
    }
}
