using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Issue 23, kind 5: the run lock is held to the end. When the lock's session is terminated while a slow script
/// runs (an operator, a pooler's idle cut, a network blip), the run stops before its next write with exit 10 and
/// says so; the script in flight commits nothing (its commit proves the lock first); the next run applies it once.
/// Directly and behind PgBouncer in transaction mode.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class LockLossTests(AppHostFixture fixture)
{
    private const string HolderPid = """
        SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 20250101 AND objid = 1 AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Terminating_the_lock_session_during_a_slow_script_stops_the_run_with_exit_10_and_nothing_of_it_committed(bool behindPgBouncer)
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await using var bouncer = behindPgBouncer ? await PgBouncerProcess.StartAsync(database.ConnectionString) : null;
        var connectionString = bouncer?.ClientConnectionString(database.ConnectionString) ?? database.ConnectionString;
        var folder = TestScripts.Folder(
            ("29990101000000_slow.sql", "SELECT pg_sleep(3);\nCOMMENT ON SCHEMA public IS 'written under the lock';\n"),
            ("29990101000001_after.sql", "COMMENT ON SCHEMA public IS 'written after';\n"));
        try
        {
            using (var run = MigratorProcess.Start(connectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}"))
            {
                var holder = await UntilAsync(database, HolderPid + " AND EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(3)%' AND state = 'active')");
                Assert.Equal(true, await database.ScalarAsync($"SELECT pg_terminate_backend({holder})"));

                var exitCode = await run.WaitAsync(TimeSpan.FromMinutes(2));

                Assert.True(exitCode == 10, run.Output);
                Assert.Contains("lost its migration lock", run.Output);
                Assert.Contains("29990101000000_slow.sql was rolled back", run.Output);
            }

            Assert.NotEqual("written under the lock", await database.ScalarAsync("SELECT obj_description('public'::regnamespace, 'pg_namespace')"));
            Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));

            var again = await MigratorProcess.RunAsync(connectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));
            Assert.Equal("written after", await database.ScalarAsync("SELECT obj_description('public'::regnamespace, 'pg_namespace')"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Another instance: a no-transaction script commits each statement on its own, so the lock is proven before
    // each. Its first concurrent build waits for a writer the test holds open; the lock is cut meanwhile: the
    // build finishes (it had started), and the run stops before the second, naming what committed.
    [Fact]
    public async Task A_no_transaction_script_stops_before_its_next_statement_once_the_lock_is_lost()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await database.ScalarAsync("CREATE TABLE IF NOT EXISTS lock_loss_t (a int)");
        var folder = TestScripts.Folder(("29990101000000_index.sql",
            "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_lock_loss_1 ON lock_loss_t (a);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_lock_loss_2 ON lock_loss_t (a);\n"));
        await using var writer = new NpgsqlConnection(database.ConnectionString);
        await writer.OpenAsync();
        await using var open = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO lock_loss_t VALUES (1)", writer, open))
        {
            await insert.ExecuteNonQueryAsync();
        }

        try
        {
            using var run = MigratorProcess.Start(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            var holder = await UntilAsync(database, HolderPid + " AND EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_lock_loss_1%' AND wait_event_type = 'Lock')");
            Assert.Equal(true, await database.ScalarAsync($"SELECT pg_terminate_backend({holder})"));
            await open.CommitAsync();

            var exitCode = await run.WaitAsync(TimeSpan.FromMinutes(2));

            Assert.True(exitCode == 10, run.Output);
            Assert.Contains("lost its migration lock", run.Output);
            Assert.Contains("stopped before statement 2", run.Output);
            Assert.Equal(true, await database.ScalarAsync("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('public.ix_lock_loss_1')"));
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.ix_lock_loss_2')::text"));
            Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    private static async Task<object> UntilAsync(MigratorDatabase database, string sql)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (await database.ScalarAsync(sql) is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Never true: {sql}");
    }
}
