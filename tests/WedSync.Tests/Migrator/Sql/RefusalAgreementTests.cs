using System.Text.Json.Nodes;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Sql;

/// <summary>
/// Issue 23, kind 1: lint, plan and up apply one refusal set (ScriptRules). What up refuses (exit 6, nothing
/// applied) lint reports as an error finding of <c>migrator-refuses</c> (exit 1) and plan as up's own refusal
/// (exit 6); plan lists the statements exactly as up would send them. Real binary, real PostgreSQL.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class RefusalAgreementTests(AppHostFixture fixture)
{
    public static TheoryData<string, string, int> Refused => new()
    {
        // The example.
        { "VACUUM (ANALYZE) public.referrals;\n", "VACUUM", 1 },
        // LerianStudio/midaz#1787: VACUUM FULL in a migration left golang-migrate's schema dirty.
        { "ALTER TABLE referrals ADD COLUMN IF NOT EXISTS refusal_note text;\nVACUUM FULL referrals;\n", "VACUUM", 2 },
        // pg_dump output: COPY ... FROM stdin needs psql to feed the rows (Flyway and dbmate reports alike).
        { "CREATE TABLE IF NOT EXISTS refusal_rows (id int);\nCOPY refusal_rows (id) FROM stdin;\n1\n\\.\n", "COPY", 2 },
        // Kind 2: a DO block that commits is recognised before anything runs (2D000 at run time otherwise).
        { "COMMENT ON SCHEMA public IS 'before';\nDO $$ BEGIN COMMENT ON SCHEMA public IS 'inside'; COMMIT; END $$;\n", "DO", 2 },
        // Kind 2: CREATE DATABASE fails when rerun, so no mode runs it; the advice says where it can run.
        { "-- migrator: no-transaction\nCREATE DATABASE refusal_other;\n", "CREATE DATABASE", 2 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Lint_plan_and_up_refuse_the_same_statement_and_nothing_is_applied(string script, string statement, int line)
    {
        const string name = "29990101000000_refused.sql";
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder((name, script));
        try
        {
            var lint = await MigratorProcess.RunCapturingStdoutAsync("", "lint", folder);
            Assert.True(lint.ExitCode == 1, lint.Output);
            Assert.Contains($"{name}:{line}:1: error [migrator-refuses]", lint.StandardOutput);

            var plan = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(plan.ExitCode == 6, plan.Output);
            Assert.Contains("up would refuse this run", plan.StandardOutput);
            Assert.Contains($"{name}:{line}:1: error [migrator-refuses]", plan.StandardOutput);

            var up = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(up.ExitCode == 6, up.Output);
            Assert.Contains($"{name}, line {line}", up.Output);
            Assert.Contains(statement, up.Output);
            Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal"));
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.referrals')::text"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Kind 2, the example: REINDEX SCHEMA cannot run in a transaction; the no-transaction mode runs it.
    [Fact]
    public async Task Reindex_schema_runs_in_a_no_transaction_script()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(("29990101000000_reindex.sql", "-- migrator: no-transaction\nREINDEX SCHEMA public;\n"));
        try
        {
            var lint = await MigratorProcess.RunCapturingStdoutAsync("", "lint", folder);
            Assert.True(lint.ExitCode == 0, lint.Output);
            var up = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(up.ExitCode == 0, up.Output);
            Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.journal WHERE script_name = '29990101000000_reindex.sql'"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // The statement text plan shows is what up sends: byte for byte, CRLF line ends in a literal included.
    [Fact]
    public async Task Plan_lists_the_statements_as_up_sends_them()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(("29990101000000_exact.sql", "SELECT 1;\r\nCOMMENT ON SCHEMA public IS 'two\r\nlines';\r\n"));
        try
        {
            var plan = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", "--json", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.True(plan.ExitCode is 0 or 1, plan.Output);
            var script = JsonNode.Parse(plan.StandardOutput)!.AsArray().SelectMany(r => r!["scripts"]!.AsArray())
                .Single(s => s!["name"]!.GetValue<string>() == "29990101000000_exact.sql")!;
            Assert.Equal(
                ["SELECT 1", "COMMENT ON SCHEMA public IS 'two\r\nlines'"],
                script["statements"]!.AsArray().Select(s => s!["sql"]!.GetValue<string>()));

            var up = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(up.ExitCode == 0, up.Output);
            Assert.Equal("two\r\nlines", await database.ScalarAsync("SELECT obj_description('public'::regnamespace, 'pg_namespace')"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }
}
