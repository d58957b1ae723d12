using Npgsql;
using WedSync.Migrations;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Engine;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Issue 13, kinds 2 to 5: no client timeout unless asked for and a timeout reported as one; no session
/// state from one script in the next; transaction control refused before anything runs; statements that
/// cannot run in a transaction applied through a no-transaction script.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class ScriptExecutionTests(AppHostFixture fixture)
{
    private static MigratorOptions Options(TimeSpan? commandTimeout = null) =>
        new() { LockTimeout = TimeSpan.FromSeconds(30), CommandTimeout = commandTimeout };

    // Kind 2, the example: Npgsql's default 30 s command timeout ended this script at 30 s.
    [Fact]
    public async Task Script_longer_than_thirty_seconds_within_its_own_statement_timeout_is_applied()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);

        var outcome = await TestScripts.EngineFor(database.ConnectionString,
            [new SqlScript("29990101000000_slow.sql", "SET LOCAL statement_timeout = '5min';\nSELECT pg_sleep(35);\n")]).UpAsync(CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Error);
    }

    // Kind 2: the connection string's own Command Timeout (Npgsql's knob, as DbUp users set it) does not apply to scripts either.
    [Fact]
    public async Task Connection_string_command_timeout_does_not_cut_a_script_short()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { CommandTimeout = 1 }.ConnectionString;

        var outcome = await TestScripts.EngineFor(connectionString,
            [new SqlScript("29990101000000_slowish.sql", "SELECT pg_sleep(2.5);\n")]).UpAsync(CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Error);
    }

    [Theory]
    [InlineData("SET LOCAL statement_timeout = '300ms';\nSELECT pg_sleep(5);\n", "statement_timeout", "57014")]
    [InlineData("SET LOCAL lock_timeout = '300ms';\nLOCK TABLE held_elsewhere IN ACCESS EXCLUSIVE MODE;\n", "lock_timeout", "55P03")]
    [InlineData("-- no limit of its own\nSELECT pg_sleep(5);\n", "Migrations:CommandTimeout", null)]
    public async Task Timeout_is_reported_as_a_timeout_naming_the_limit_that_fired(string script, string limit, string? sqlState)
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE held_elsewhere (id int)", holder))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var transaction = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("LOCK TABLE held_elsewhere IN ACCESS SHARE MODE", holder, transaction))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var outcome = await TestScripts.EngineFor(database.ConnectionString, [new SqlScript("29990101000000_waits.sql", script)],
            Options(commandTimeout: TimeSpan.FromSeconds(1))).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptFailed, outcome.ExitCode);
        Assert.Contains("timed out", outcome.Error);
        Assert.Contains(limit, outcome.Error);
        Assert.Contains("line 2", outcome.Error);
        if (sqlState is not null)
        {
            Assert.Contains(sqlState, outcome.Error);
        }
    }

    // Kind 3, the example, through the binary: B failed with 3F000 on the first run only.
    [Fact]
    public async Task Search_path_emptied_by_one_script_does_not_reach_the_next()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(
            ("29990101000000_a.sql", "SELECT set_config('search_path', '', false);\n"),
            ("29990101000001_b.sql", "CREATE TABLE t_next (id int);\n"));
        try
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}",
                "--allow", "primary-key", "--allow", "row-level-security");

            Assert.True(exitCode == 0, output);
            Assert.Equal(true, await database.ScalarAsync("SELECT to_regclass('public.t_next') IS NOT NULL"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Kind 3, more instances: a role, a timeout and a temporary table left behind by the previous script.
    [Fact]
    public async Task Role_settings_and_temporary_tables_of_one_script_do_not_reach_the_next()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var role = $"mig_limited_{Guid.NewGuid():N}"[..30];
        try
        {
            var outcome = await TestScripts.EngineFor(database.ConnectionString,
            [
                new SqlScript("29990101000000_role.sql", $"CREATE ROLE {role} NOLOGIN;\nSET ROLE {role};\n"),
                new SqlScript("29990101000001_owned.sql", "CREATE TABLE t_owned (id int);\n"),
                new SqlScript("29990101000002_timeout.sql", "SELECT set_config('statement_timeout', '150ms', false);\n"),
                new SqlScript("29990101000003_sleep.sql", "SELECT pg_sleep(0.2);\n"),
                new SqlScript("29990101000004_temp.sql", "CREATE TEMP TABLE scratch (id int);\n"),
                new SqlScript("29990101000005_temp_again.sql", "CREATE TEMP TABLE scratch (id int);\n"),
            ]).UpAsync(CancellationToken.None);

            Assert.True(outcome.Succeeded, outcome.Error);
            Assert.NotEqual(role, await database.ScalarAsync("SELECT tableowner::text FROM pg_tables WHERE tablename = 't_owned'"));
            Assert.Equal(6L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal"));
        }
        finally
        {
            await using var cleanup = new NpgsqlConnection(database.ConnectionString);
            await cleanup.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {role}", cleanup);
            await drop.ExecuteNonQueryAsync();
        }
    }

    // Kind 4, the example: the COMMIT committed the table without a journal row.
    [Fact]
    public async Task Script_with_commit_is_refused_before_anything_runs_naming_file_line_and_statement()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(
            ("29990101000000_fine.sql", "CREATE TABLE t_before (id int);\n"),
            ("29990101000001_commit.sql", "CREATE TABLE t_c (id int);\nCOMMIT;\n"));
        try
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.True(exitCode == MigrationOutcome.ScriptRefused, output);
            Assert.Contains("29990101000001_commit.sql, line 2", output);
            Assert.Contains("(statement: COMMIT)", output);
            Assert.Contains("Nothing was applied", output);
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.t_c')::text"));
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.t_before')::text"));
            Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Kind 4, more instances: golang-migrate's docs wrap scripts in BEGIN/COMMIT; pg_dump data and
    // psql scripts carry COPY ... FROM stdin and \connect.
    [Theory]
    [InlineData("BEGIN;\nCREATE TABLE t_wrapped (id int);\nCOMMIT;\n", 1, "BEGIN")]
    [InlineData("CREATE TABLE t_copy (id int);\nCOPY t_copy (id) FROM stdin;\n1\n2\n\\.\n", 2, "COPY t_copy (id) FROM stdin")]
    [InlineData("\\connect other_database\nCREATE TABLE t_elsewhere (id int);\n", 1, "\\connect other_database")]
    [InlineData("CREATE TABLE t_sp (id int);\nSAVEPOINT before_risky;\nROLLBACK TO SAVEPOINT before_risky;\n", 2, "SAVEPOINT before_risky")]
    public async Task Transaction_control_and_psql_commands_are_refused_and_nothing_is_applied(string script, int line, string statement)
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);

        var outcome = await TestScripts.EngineFor(database.ConnectionString, [new SqlScript("29990101000000_x.sql", script)]).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptRefused, outcome.ExitCode);
        Assert.Contains($"29990101000000_x.sql, line {line}", outcome.Error);
        Assert.Contains($"(statement: {statement})", outcome.Error);
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\\_%'"));
    }

    // Kind 5, the example: CREATE INDEX CONCURRENTLY, with the marker, as the advisor advises.
    [Fact]
    public async Task Concurrent_index_in_a_no_transaction_script_is_built_and_journaled()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(
            ("29990101000000_ix.sql", "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referrals_client_ip ON referrals (client_ip);\n"),
            // The advisor's other remedies: DROP INDEX CONCURRENTLY, VACUUM (ANALYZE).
            ("29990101000001_more.sql", "-- migrator: no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS no_such_index;\nVACUUM (ANALYZE) referrals;\n"));
        try
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.True(exitCode == 0, output);
            Assert.Equal(true, await database.ScalarAsync(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.ix_referrals_client_ip')"));
            Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Kind 5: without the marker the same statement is refused before anything runs, saying what to do.
    [Fact]
    public async Task Concurrent_index_without_the_marker_is_refused_with_the_marker_as_advice()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);

        var outcome = await TestScripts.EngineFor(database.ConnectionString,
            [new SqlScript("29990101000000_ix.sql", "CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY ix ON t (a);\n")]).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptRefused, outcome.ExitCode);
        Assert.Contains("line 2", outcome.Error);
        Assert.Contains("-- migrator: no-transaction", outcome.Error);
    }

    // Kind 5: a failed concurrent build leaves an INVALID index; it is reported, and the retry rebuilds it.
    [Fact]
    public async Task Invalid_index_left_by_a_failed_concurrent_build_is_reported_and_rebuilt_on_the_retry()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        SqlScript[] scripts =
        [
            new("29990101000000_dupes.sql", "CREATE TABLE dupes (v int);\nINSERT INTO dupes VALUES (1), (2), (2);\n"),
            new("29990101000001_unique.sql", "-- migrator: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ux_dupes_v ON dupes (v);\n"),
        ];

        var failed = await TestScripts.EngineFor(database.ConnectionString, scripts).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptFailed, failed.ExitCode);
        Assert.Contains("23505", failed.Error);
        Assert.Contains("public.ux_dupes_v INVALID", failed.Error);
        Assert.Contains("None of its statements committed", failed.Error);
        Assert.Contains("29990101000000_dupes.sql", failed.Error);
        Assert.Equal(false, await database.ScalarAsync("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.ux_dupes_v')"));

        await database.ScalarAsync("DELETE FROM dupes WHERE ctid = (SELECT max(ctid) FROM dupes WHERE v = 2)");
        var retried = await TestScripts.EngineFor(database.ConnectionString, scripts).UpAsync(CancellationToken.None);

        Assert.True(retried.Succeeded, retried.Error);
        Assert.Equal(["29990101000001_unique.sql"], retried.Applied);
        Assert.Equal(true, await database.ScalarAsync("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.ux_dupes_v')"));
    }

    // Kind 5: a later statement failing says which statements committed; the rerun completes the script.
    [Fact]
    public async Task Failure_after_committed_statements_says_which_committed_and_the_rerun_completes()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await database.ScalarAsync("CREATE TABLE t (a int, b int)");
        var script = new SqlScript("29990101000000_two.sql",
            "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON t (a);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_c ON t (c);\n");

        var failed = await TestScripts.EngineFor(database.ConnectionString, [script]).UpAsync(CancellationToken.None);
        await database.ScalarAsync("ALTER TABLE t RENAME COLUMN b TO c");
        var rerun = await TestScripts.EngineFor(database.ConnectionString, [script]).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptFailed, failed.ExitCode);
        Assert.Contains("42703", failed.Error);
        Assert.Contains("statement 1 committed and stays", failed.Error);
        Assert.Contains("Statement 2 and any after it did not commit", failed.Error);
        Assert.Contains("line 3", failed.Error);
        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"));
    }

    // The COMMIT travels in the script's one batch (bench: one round trip less per script): a deferred foreign key
    // that fails only at COMMIT is still reported as such, the script leaves nothing and no journal row, the script
    // before it stays committed and the one after it never runs.
    [Fact]
    public async Task Deferred_constraint_failing_at_commit_rolls_the_script_back_and_stops_the_run()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        SqlScript[] scripts =
        [
            new("29990101000000_parent.sql", "CREATE TABLE parent (id int PRIMARY KEY);\n"),
            new("29990101000001_child.sql",
                "CREATE TABLE child (parent_id int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO child VALUES (1);\n"),
            new("29990101000002_after.sql", "CREATE TABLE after_child (id int);\n"),
        ];

        var outcome = await TestScripts.EngineFor(database.ConnectionString, scripts).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptFailed, outcome.ExitCode);
        Assert.Contains("29990101000001_child.sql at COMMIT (a deferred constraint or trigger)", outcome.Error);
        Assert.Contains("23503", outcome.Error);
        Assert.Equal(["29990101000000_parent.sql"], outcome.Applied);
        Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.child')::text"));
        Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.after_child')::text"));
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal"));
    }
}
