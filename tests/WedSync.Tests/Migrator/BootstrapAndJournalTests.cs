using DbUp;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Engine;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Issue 13, kinds 6 and 8: the database is found or created without touching more than needed and
/// without racing; every journal change commits with its work or not at all. Failures are injected by
/// the database itself (triggers), not by mocks.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class BootstrapAndJournalTests(AppHostFixture fixture)
{
    private string ServerConnectionString => new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Database = "postgres" }.ConnectionString;

    // Kind 6, the issue's first example: an owner of the target database that may not connect to postgres.
    [Fact]
    public async Task Owner_of_the_database_who_cannot_connect_to_postgres_migrates_it()
    {
        var role = $"mig_owner_{Guid.NewGuid():N}"[..30];
        var name = $"mig_{Guid.NewGuid():N}";
        await ExecuteAsync(ServerConnectionString,
            $"CREATE ROLE {role} LOGIN PASSWORD 'owner-pw'", $"CREATE DATABASE {name} OWNER {role}", "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC");
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, Username = role, Password = "owner-pw" }.ConnectionString;
            await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
                new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString, "SELECT 1"));

            var outcome = await TestScripts.EngineFor(connectionString, [new SqlScript("29990101000000_t.sql", "CREATE TABLE t_owned (id int);")])
                .UpAsync(CancellationToken.None);

            Assert.True(outcome.Succeeded, outcome.Error);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(ServerConnectionString, "GRANT CONNECT ON DATABASE postgres TO PUBLIC",
                $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", $"DROP ROLE IF EXISTS {role}");
        }
    }

    // Kind 6, the issue's second example: migrators creating the same new database at once (23505 / 42P04).
    [Fact]
    public async Task Migrators_creating_the_same_database_at_once_all_succeed()
    {
        var name = $"mig_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                await using var dataSource = MigratorDataSource.Create(connectionString);
                await DatabaseBootstrap.EnsureAsync(dataSource, connectionString, NullLogger.Instance, CancellationToken.None);
            })));
            var runs = await Task.WhenAll(
                MigratorProcess.RunAsync(new NpgsqlConnectionStringBuilder(connectionString) { Database = name + "_b" }.ConnectionString, "up"),
                MigratorProcess.RunAsync(new NpgsqlConnectionStringBuilder(connectionString) { Database = name + "_b" }.ConnectionString, "up"));

            Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Output));
            Assert.Equal(1L, await ScalarAsync(ServerConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(ServerConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", $"DROP DATABASE IF EXISTS {name}_b WITH (FORCE)");
        }
    }

    // Kind 6: every failure path ends in a documented exit code, never an unhandled exception (134).
    [Theory]
    [InlineData("usage", 2)]
    [InlineData("no-connection-string", 2)]
    [InlineData("bad-option", 2)]
    [InlineData("nobody-listening", 7)]
    [InlineData("wrong-password", 7)]
    [InlineData("cannot-create-database", 7)]
    [InlineData("lock-held", 5)]
    [InlineData("scripts-folder-missing", 2)]
    [InlineData("plan-scripts-folder-missing", 2)]
    [InlineData("request-manifest-missing", 2)]
    [InlineData("option-not-a-timespan", 2)]
    [InlineData("option-overflows-a-timespan", 2)]
    [InlineData("lock-timeout-beyond-a-timer", 2)]
    [InlineData("command-timeout-beyond-a-timer", 2)]
    [InlineData("malformed-connection-string", 2)]
    [InlineData("plan-malformed-connection-string", 2)]
    [InlineData("port-not-a-number", 2)]
    [InlineData("extra-script-named-as-embedded", 2)]
    [InlineData("plan-extra-script-named-as-embedded", 2)]
    [InlineData("hosted-bad-option", 2)]
    [InlineData("hosted-no-connection-string", 2)]
    public async Task Every_failure_path_has_its_exit_code(string path, int expected)
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var role = $"mig_nocreate_{Guid.NewGuid():N}"[..30];
        var connectionString = database.ConnectionString;
        string[] args = ["status"];
        string? extraFolder = null;
        var environment = new Dictionary<string, string?>();
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        switch (path)
        {
            case "usage":
                args = ["migrate-everything"];
                break;
            case "no-connection-string":
                connectionString = "";
                break;
            case "bad-option":
                args = ["up", "--Migrations:LockTimeout=-00:00:01"];
                break;
            case "nobody-listening":
                connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Port = FreePort(), Timeout = 3 }.ConnectionString;
                break;
            case "wrong-password":
                connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Password = "not-the-password" }.ConnectionString;
                break;
            case "cannot-create-database":
                await ExecuteAsync(ServerConnectionString, $"CREATE ROLE {role} LOGIN PASSWORD 'pw'");
                connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Database = database.Name + "_new", Username = role, Password = "pw" }.ConnectionString;
                args = ["up"];
                break;
            // A folder or file that is not there is a configuration error naming the setting, in every verb.
            case "scripts-folder-missing":
                args = ["up", $"--Migrations:AdditionalScriptsPath={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))}"];
                break;
            case "plan-scripts-folder-missing":
                args = ["plan", $"--Migrations:AdditionalScriptsPath={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))}"];
                break;
            case "request-manifest-missing":
                args = ["status", $"--Migrations:RequestManifestPath={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))}.json"];
                break;
            case "option-not-a-timespan":
                args = ["up", "--Migrations:LockTimeout=abc"];
                break;
            case "option-overflows-a-timespan":
                args = ["up", "--Migrations:LockTimeout=99999999"];
                break;
            // Accepted as a TimeSpan, beyond what a timer can wait: refused up front, not when the wait starts.
            case "lock-timeout-beyond-a-timer":
                args = ["up", "--Migrations:LockTimeout=3000000.00:00:00"];
                break;
            case "command-timeout-beyond-a-timer":
                args = ["up", "--Migrations:CommandTimeout=50.00:00:00"];
                break;
            case "malformed-connection-string":
                connectionString = connectionString.Replace("Port=", "Porrt=", StringComparison.OrdinalIgnoreCase);
                break;
            case "plan-malformed-connection-string":
                connectionString = connectionString.Replace("Port=", "Porrt=", StringComparison.OrdinalIgnoreCase);
                args = ["plan"];
                break;
            case "port-not-a-number":
                connectionString = new NpgsqlConnectionStringBuilder(connectionString).ConnectionString + ";Port=abc";
                break;
            case "extra-script-named-as-embedded":
            case "plan-extra-script-named-as-embedded":
                extraFolder = Directory.CreateTempSubdirectory("migrator-clash-").FullName;
                await File.WriteAllTextAsync(Path.Combine(extraFolder, "20250101000000_platform_foundation.sql"), "SELECT 1;");
                args = [path.StartsWith("plan", StringComparison.Ordinal) ? "plan" : "up", $"--Migrations:AdditionalScriptsPath={extraFolder}"];
                break;
            // With a telemetry endpoint the migrator runs in a host: the same one line, no failed host start.
            case "hosted-bad-option":
                environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1";
                args = ["up", "--Migrations:LockTimeout=abc"];
                break;
            case "hosted-no-connection-string":
                environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1";
                connectionString = "";
                break;
            case "lock-held":
                await holder.OpenAsync();
                await ExecuteAsync(holder, "BEGIN", "SELECT pg_advisory_xact_lock(20250101, 1)");
                args = ["up", "--Migrations:LockTimeout=00:00:01"];
                break;
        }

        try
        {
            var (exitCode, output) = await MigratorProcess.RunAsync(connectionString, args, null, environment);

            Assert.True(exitCode == expected, $"exit {exitCode}, expected {expected}:\n{output}");
            Assert.DoesNotContain("Unhandled exception", output);
            Assert.DoesNotContain("Unexpected error", output);
            // A stack trace is for bugs; every path here is an expected failure with a message.
            Assert.DoesNotMatch(@"\n\s+at \S+\(", output);
            Assert.DoesNotContain("Hosting failed to start", output);
            if (expected == 2 && path != "usage")
            {
                Assert.Contains("Configuration error", output);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (extraFolder is not null)
            {
                Directory.Delete(extraFolder, recursive: true);
            }

            await ExecuteAsync(ServerConnectionString, $"DROP ROLE IF EXISTS {role}");
        }
    }

    // Kind 8: importing DbUp's schemaversions commits with the journal's creation or not at all.
    [Fact]
    public async Task Dbup_journal_import_interrupted_part_way_leaves_nothing_and_the_next_run_imports_all()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var firstTwo = TestScripts.RealCatalog.Scripts.Take(2).ToList();
        var plain = DeployChanges.To.PostgresqlDatabase(database.ConnectionString)
            .WithScripts(firstTwo.Select(s => new DbUp.Engine.SqlScript(s.Name, s.Contents))).WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
        Assert.True(plain.Successful);
        // When the journal table appears, arm a trigger that fails its second insert: a crash mid-import.
        await database.ScalarAsync("""
            CREATE FUNCTION fail_second_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM wedsync_migrations.journal) THEN RAISE EXCEPTION 'injected: crash mid-import'; END IF;
              RETURN NEW;
            END $$;
            CREATE FUNCTION arm_failure() RETURNS event_trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF to_regclass('wedsync_migrations.journal') IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'fail_second_row') THEN
                CREATE TRIGGER fail_second_row BEFORE INSERT ON wedsync_migrations.journal FOR EACH ROW EXECUTE FUNCTION fail_second_row();
              END IF;
            END $$;
            CREATE EVENT TRIGGER arm_failure ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION arm_failure();
            """);

        var crashed = await Record.ExceptionAsync(() => TestScripts.Engine(database.ConnectionString).UpAsync(CancellationToken.None));
        var journalAfterCrash = await database.ScalarAsync("SELECT to_regclass('wedsync_migrations.journal')::text");
        await database.ScalarAsync("DROP EVENT TRIGGER arm_failure");
        var outcome = await TestScripts.Engine(database.ConnectionString).UpAsync(CancellationToken.None);

        Assert.Contains("injected", Assert.IsType<PostgresException>(crashed).MessageText);
        Assert.Null(journalAfterCrash);
        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(TestScripts.RealCatalog.Scripts.Count - 2, outcome.Applied.Count);
        Assert.DoesNotContain(firstTwo[0].Name, outcome.Applied);
        Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE applied_by = 'dbup schemaversions import'"));
    }

    // Kind 8: a script and its journal row commit together: a journal write that fails undoes the script.
    [Fact]
    public async Task Script_whose_journal_row_cannot_be_written_leaves_nothing_behind()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        SqlScript[] first = [new("29990101000000_first.sql", "CREATE TABLE t_first (id int);")];
        Assert.True((await TestScripts.EngineFor(database.ConnectionString, first).UpAsync(CancellationToken.None)).Succeeded);
        await database.ScalarAsync("""
            CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected: journal write fails'; END $$;
            CREATE TRIGGER refuse_row BEFORE INSERT ON wedsync_migrations.journal FOR EACH ROW EXECUTE FUNCTION refuse_row();
            """);

        var outcome = await TestScripts.EngineFor(database.ConnectionString,
            [.. first, new SqlScript("29990101000001_second.sql", "CREATE TABLE t_second (id int);")]).UpAsync(CancellationToken.None);

        Assert.Equal(MigrationOutcome.ScriptFailed, outcome.ExitCode);
        Assert.Contains("while writing its journal row", outcome.Error);
        Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.t_second')::text"));
    }

    // Kind 8: repair records every accepted checksum in one transaction, or none.
    [Fact]
    public async Task Repair_of_several_scripts_is_all_or_nothing()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        SqlScript[] original = [new("29990101000000_a.sql", "SELECT 1;"), new("29990101000001_b.sql", "SELECT 2;")];
        SqlScript[] edited = [new("29990101000000_a.sql", "SELECT 1; -- edited"), new("29990101000001_b.sql", "SELECT 2; -- edited")];
        Assert.True((await TestScripts.EngineFor(database.ConnectionString, original).UpAsync(CancellationToken.None)).Succeeded);
        var before = await database.ScalarAsync("SELECT string_agg(checksum, ',' ORDER BY script_name) FROM wedsync_migrations.journal");
        await database.ScalarAsync("""
            CREATE FUNCTION refuse_b() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.script_name LIKE '%_b.sql' THEN RAISE EXCEPTION 'injected: repair fails on b'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_b BEFORE UPDATE ON wedsync_migrations.journal FOR EACH ROW EXECUTE FUNCTION refuse_b();
            """);

        var failed = await Record.ExceptionAsync(() => TestScripts.EngineFor(database.ConnectionString, edited).RepairAsync([], CancellationToken.None));

        Assert.IsType<PostgresException>(failed);
        Assert.Equal(before, await database.ScalarAsync("SELECT string_agg(checksum, ',' ORDER BY script_name) FROM wedsync_migrations.journal"));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, statements);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, params string[] statements)
    {
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
