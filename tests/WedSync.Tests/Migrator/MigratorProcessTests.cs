using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>The migrator binary as processes: concurrency, a kill mid-script, the status command.</summary>
[Collection(AppHostCollection.Name)]
public sealed class MigratorProcessTests(AppHostFixture fixture)
{
    /// <summary>
    /// verify is "the database is exactly this catalog": a script the journal has and the catalog lacks
    /// (applied by another build, or from Migrations:AdditionalScriptsPath) fails it (exit 4), named; status
    /// shows it as unknown. It exited 0 before.
    /// </summary>
    [Fact]
    public async Task Verify_fails_when_the_journal_has_a_script_the_catalog_lacks()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var folder = TestScripts.Folder("29990301000000_elsewhere.sql", "SELECT 1;");
        try
        {
            var up = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(up.ExitCode == 0, up.Output);

            var with = await MigratorProcess.RunAsync(database.ConnectionString, "verify", $"--Migrations:AdditionalScriptsPath={folder}");
            var without = await MigratorProcess.RunAsync(database.ConnectionString, "verify");

            Assert.True(with.ExitCode == 0, with.Output);
            Assert.True(without.ExitCode == 4, without.Output);
            Assert.Contains("applied, not in the catalog: 29990301000000_elsewhere.sql", without.Output);
            Assert.Contains("| 29990301000000_elsewhere.sql | unknown |", without.Output);
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    [Fact]
    public async Task Two_migrators_started_together_apply_every_script_exactly_once()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);

        var runs = await Task.WhenAll(
            MigratorProcess.RunAsync(database.ConnectionString, "up"),
            MigratorProcess.RunAsync(database.ConnectionString, "up"));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Output));
        Assert.Equal((long)ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder).Scripts.Count,
            await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal"));
        Assert.Single(runs, run => run.Output.Contains("No pending scripts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Migrator_killed_in_a_slow_script_leaves_nothing_of_it_and_the_next_run_completes()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var folder = TestScripts.Folder("29990101000000_slow.sql",
            "CREATE TABLE slow_marker (id uuid PRIMARY KEY);\nSELECT pg_sleep(120);\n");
        try
        {
            using (var migrator = MigratorProcess.Start(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}", "--allow", "row-level-security"))
            {
                await WaitUntilAsync(async () => (long)(await database.ScalarAsync(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()"))! > 0,
                    TimeSpan.FromMinutes(1), migrator);
                migrator.Kill();
                await migrator.WaitAsync(TimeSpan.FromSeconds(30));
            }

            // The server notices the dead client at its next write; end the orphaned backend now.
            await database.ScalarAsync(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
            NpgsqlConnection.ClearAllPools();

            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.slow_marker')::text"));
            Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));

            var rerun = await MigratorProcess.RunAsync(database.ConnectionString, "up");
            var verify = await MigratorProcess.RunAsync(database.ConnectionString, "verify");

            Assert.True(rerun.ExitCode == 0, rerun.Output);
            Assert.True(verify.ExitCode == 0, verify.Output);
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    [Fact]
    public async Task Status_prints_the_request_table_with_every_request_complete()
    {
        var (exitCode, output) = await MigratorProcess.RunAsync(fixture.DatabaseConnectionString, "status");

        Assert.Equal(0, exitCode);
        foreach (var request in new[] { "WS-047", "WS-153", "WS-154", "WS-159", "WS-166", "WS-167", "WS-168", "WS-170" })
        {
            // | request | title | request date | state | ...
            Assert.Matches($@"\| {request} \| [^|]+ \| \d{{4}}-\d{{2}}-\d{{2}} \| complete \|", output);
        }
    }

    [Fact]
    public async Task Status_as_json_is_machine_readable()
    {
        var (exitCode, output) = await MigratorProcess.RunAsync(fixture.DatabaseConnectionString, "status", "--json");

        Assert.Equal(0, exitCode);
        var json = output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)];
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Contains(document.RootElement.GetProperty("requests").EnumerateArray(),
            r => r.GetProperty("requestId").GetString() == "WS-170" && r.GetProperty("state").GetString() == "complete");
    }

    [Fact]
    public async Task Unknown_verb_is_a_usage_error()
    {
        var (exitCode, output) = await MigratorProcess.RunAsync(fixture.DatabaseConnectionString, "migrate-everything");

        Assert.Equal(2, exitCode);
        Assert.Contains("usage:", output);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, MigratorProcess migrator)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The slow script never started. Migrator output:\n{migrator.Output}");
            }

            await Task.Delay(200);
        }
    }
}
