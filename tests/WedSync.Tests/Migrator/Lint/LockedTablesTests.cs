using System.Text.RegularExpressions;
using Npgsql;
using WedSync.Migrations.Lint;
using WedSync.Migrations.Lint.Rules;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Lint;

/// <summary>
/// Issue 23, kind 4: the locks the rules see on tables a script did not create are the locks PostgreSQL takes,
/// in both directions. Each script runs in an open transaction while a second session reads pg_locks; the
/// strongest lock held on each pre-existing table must be the rules' (<see cref="StatementLock"/>), and
/// lock-timeout-missing fires exactly when there is one.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed partial class LockedTablesTests(AppHostFixture fixture)
{
    private static readonly string[] Existing = ["lk_parent", "lk_child", "lk_events"];

    // PostgreSQL's lock modes, weakest first ("Explicit Locking").
    private static readonly string[] Strength =
        ["ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"];

    [Theory]
    // A new table's foreign key locks the table it references (squawk#938), qualified or not, column or table constraint.
    [InlineData("CREATE TABLE lk_new (id int PRIMARY KEY, parent_id int REFERENCES lk_parent (id));", "lk_parent=SHARE ROW EXCLUSIVE")]
    [InlineData("CREATE TABLE lk_new (id int PRIMARY KEY, CONSTRAINT lk_new_parent FOREIGN KEY (id) REFERENCES public.lk_parent);", "lk_parent=SHARE ROW EXCLUSIVE")]
    // Both tables new: nothing pre-existing is locked (no false positive; squawk#703).
    [InlineData("CREATE TABLE lk_a (id int PRIMARY KEY);\nCREATE TABLE lk_b (id int PRIMARY KEY, a_id int REFERENCES lk_a (id));", "")]
    // A foreign key added later locks both tables, with NOT VALID too; on a new table, only the referenced one.
    [InlineData("ALTER TABLE lk_child ADD CONSTRAINT lk_child_parent FOREIGN KEY (parent_id) REFERENCES lk_parent (id);", "lk_child=SHARE ROW EXCLUSIVE;lk_parent=SHARE ROW EXCLUSIVE")]
    [InlineData("ALTER TABLE lk_child ADD CONSTRAINT lk_child_parent FOREIGN KEY (parent_id) REFERENCES lk_parent (id) NOT VALID;", "lk_child=SHARE ROW EXCLUSIVE;lk_parent=SHARE ROW EXCLUSIVE")]
    [InlineData("CREATE TABLE lk_a (id int PRIMARY KEY);\nALTER TABLE lk_a ADD CONSTRAINT lk_a_parent FOREIGN KEY (id) REFERENCES lk_parent (id);", "lk_parent=SHARE ROW EXCLUSIVE")]
    [InlineData("ALTER TABLE lk_child ADD COLUMN other_id int REFERENCES lk_parent (id);", "lk_child=ACCESS EXCLUSIVE;lk_parent=SHARE ROW EXCLUSIVE")]
    // CREATE TABLE IF NOT EXISTS of a table the database has creates nothing: the index locks the table in use.
    [InlineData("CREATE TABLE IF NOT EXISTS lk_child (id int PRIMARY KEY, parent_id int);\nCREATE INDEX lk_child_parent_ix ON lk_child (parent_id);", "lk_child=SHARE")]
    [InlineData("CREATE TABLE IF NOT EXISTS lk_fresh (id int PRIMARY KEY, parent_id int);\nCREATE INDEX lk_fresh_parent_ix ON lk_fresh (parent_id);", "")]
    // A new partition locks its parent ACCESS EXCLUSIVE until commit (propeller-heads/tycho#1377).
    [InlineData("CREATE TABLE lk_events_2025 PARTITION OF lk_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');", "lk_events=ACCESS EXCLUSIVE")]
    [InlineData("CREATE TABLE lk_plain (at date NOT NULL, n int) PARTITION BY RANGE (at);\nCREATE TABLE lk_plain_2025 PARTITION OF lk_plain FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');", "")]
    public async Task Locks_on_pre_existing_tables_are_the_ones_PostgreSQL_takes(string script, string expected)
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await database.ScalarAsync("""
            CREATE TABLE lk_parent (id int PRIMARY KEY);
            INSERT INTO lk_parent SELECT generate_series(1, 100);
            CREATE TABLE lk_child (id int PRIMARY KEY, parent_id int);
            INSERT INTO lk_child SELECT g, g FROM generate_series(1, 100) g;
            CREATE TABLE lk_events (at date NOT NULL, n int) PARTITION BY RANGE (at);
            """);

        var file = SqlScriptFile.Parse("29990101000000_locks.sql", script);
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            file.Knowing(await LiveTables.ExistingAsync(connection, null, LiveTables.Questions([file]), CancellationToken.None));
        }

        var server = await HeldAsync(database.ConnectionString, script);

        var rules = StatementLock.Of(file, [file]).Where(l => !l.CreatedEarlier)
            .GroupBy(l => l.Table).ToDictionary(g => g.Key, g => g.MaxBy(l => Array.IndexOf(Strength, l.Mode))!.Mode);
        Assert.Equal(Expected(expected), server);
        Assert.Equal(server, rules);
        var timeout = new LockTimeoutRule().Check(file, [file]).ToList();
        Assert.Equal(server.Any(l => Array.IndexOf(Strength, l.Value) > Array.IndexOf(Strength, "ROW EXCLUSIVE")), timeout.Count > 0);
        foreach (var (table, _) in server)
        {
            // The finding names the first table locked; each one's lock is in some rule's words.
            Assert.Contains(StatementLock.Of(file, [file]).Where(l => !l.CreatedEarlier), l => l.Table == table && l.Describe().Contains(table, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_foreign_key_added_without_NOT_VALID_names_the_referenced_tables_lock()
    {
        var file = SqlScriptFile.Parse("29990101000000_fk.sql", "ALTER TABLE lk_child ADD CONSTRAINT lk_child_parent FOREIGN KEY (parent_id) REFERENCES lk_parent (id);");

        var finding = Assert.Single(new ConstraintNotValidRule().Check(file, [file]));

        Assert.Contains("SHARE ROW EXCLUSIVE is held on lk_child and SHARE ROW EXCLUSIVE on the referenced existing table lk_parent", finding.Message);
        var timeout = Assert.Single(new LockTimeoutRule().Check(SqlScriptFile.Parse("29990101000001_new.sql", "CREATE TABLE lk_new (id int PRIMARY KEY, parent_id int REFERENCES lk_parent (id));"), []));
        Assert.Contains("SHARE ROW EXCLUSIVE lock on existing table lk_parent (referenced by a foreign key of lk_new)", timeout.Message);
    }

    [Fact]
    public void Without_a_database_IF_NOT_EXISTS_is_a_warning_and_an_earlier_script_creating_the_table_decides()
    {
        const string Script = "SET LOCAL lock_timeout = '5s';\nCREATE TABLE IF NOT EXISTS lk_child (id int PRIMARY KEY, parent_id int);\nCREATE INDEX lk_child_parent_ix ON lk_child (parent_id);";
        var offline = SqlScriptFile.Parse("29990101000001_again.sql", Script);

        var findings = ScriptLinter.LockRules.Lint(offline, [offline]);

        var warning = Assert.Single(findings);
        Assert.Equal(("lock-if-not-exists", LintSeverity.Warning, 2), (warning.Rule, warning.Severity, warning.Line));
        Assert.Contains("line(s) 3", warning.Message);

        var earlier = SqlScriptFile.Parse("29990101000000_child.sql", "CREATE TABLE lk_child (id int PRIMARY KEY, parent_id int);");
        var again = SqlScriptFile.Parse("29990101000001_again.sql", Script);
        Assert.Equal(["lock-index-not-concurrent"], ScriptLinter.LockRules.Lint(again, [earlier, again]).Select(f => f.Rule));
        var known = SqlScriptFile.Parse("29990101000001_again.sql", Script).Knowing(new HashSet<string>());
        Assert.Empty(ScriptLinter.LockRules.Lint(known, [known]));
    }

    // A table made by hand (a hotfix) that a pending script creates IF NOT EXISTS and then indexes: up, plan and lint
    // with the database refuse the index on a table in use; lint offline warns; where the table is new, nothing fires.
    [Fact]
    public async Task Up_plan_and_lint_with_the_database_judge_IF_NOT_EXISTS_by_the_live_table()
    {
        const string Name = "29990101000000_lk_outside.sql";
        const string Script = "SET LOCAL lock_timeout = '5s';\nCREATE TABLE IF NOT EXISTS lk_outside (id int PRIMARY KEY, note text);\nCREATE INDEX lk_outside_note_ix ON lk_outside (note);\n";
        await using var existing = await MigratorDatabase.CreateMigratedAsync(fixture);
        await using var fresh = await MigratorDatabase.CreateMigratedAsync(fixture);
        await existing.ScalarAsync("CREATE TABLE lk_outside (id int PRIMARY KEY, note text)");
        var folder = TestScripts.Folder((Name, Script));
        var path = Path.Combine(folder, Name);
        var refused = $"{Name}:3:1: error [lock-index-not-concurrent] index on existing table lk_outside";
        try
        {
            var up = await MigratorProcess.RunAsync(existing.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(up.ExitCode == 9, up.Output);
            Assert.Contains(refused, up.Output);
            Assert.Null(await existing.ScalarAsync("SELECT to_regclass('lk_outside_note_ix')::text"));

            var plan = await MigratorProcess.RunCapturingStdoutAsync(existing.ConnectionString, "plan", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.Contains(refused, plan.StandardOutput);
            Assert.Matches(@"lock SHARE on lk_outside, \d+ rows", plan.StandardOutput);

            var online = await MigratorProcess.RunCapturingStdoutAsync(existing.ConnectionString, "lint", path);
            Assert.True(online.ExitCode == 1, online.Output);
            Assert.Contains($"{path}:3:1: error [lock-index-not-concurrent]", online.StandardOutput);

            var offline = await MigratorProcess.RunCapturingStdoutAsync("", "lint", path);
            Assert.Contains($"{path}:2:28: warning [lock-if-not-exists]", offline.StandardOutput);
            Assert.DoesNotContain("[lock-index-not-concurrent]", offline.StandardOutput);

            var upFresh = await MigratorProcess.RunAsync(fresh.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}", "--allow", "row-level-security");
            Assert.DoesNotContain("lock-index-not-concurrent", upFresh.Output);
            Assert.True(upFresh.ExitCode == 0, upFresh.Output);
            Assert.Equal("lk_outside_note_ix", await fresh.ScalarAsync("SELECT to_regclass('lk_outside_note_ix')::text"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // The strongest lock the script's transaction holds on each pre-existing table, read by another session.
    private static async Task<Dictionary<string, string>> HeldAsync(string connectionString, string script)
    {
        await using var session = new NpgsqlConnection(connectionString);
        await session.OpenAsync();
        await using var transaction = await session.BeginTransactionAsync();
        await using (var run = new NpgsqlCommand(script, session, transaction))
        {
            await run.ExecuteNonQueryAsync();
        }

        await using var observer = new NpgsqlConnection(connectionString);
        await observer.OpenAsync();
        await using var read = new NpgsqlCommand("""
            SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = $1 AND l.granted AND c.relname = ANY($2)
            """, observer);
        read.Parameters.AddWithValue(session.ProcessID);
        read.Parameters.AddWithValue(Existing);
        var held = new List<(string Table, string Mode)>();
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                held.Add((reader.GetString(0), ModeWords().Replace(reader.GetString(1).Replace("Lock", ""), " $1").Trim().ToUpperInvariant()));
            }
        }

        await transaction.RollbackAsync();
        // Weaker than ROW EXCLUSIVE blocks no writer: reads a statement makes (a foreign key's check) are not what the rules are about.
        return held.Where(h => Array.IndexOf(Strength, h.Mode) >= Array.IndexOf(Strength, "ROW EXCLUSIVE"))
            .GroupBy(h => h.Table).ToDictionary(g => g.Key, g => g.MaxBy(h => Array.IndexOf(Strength, h.Mode)).Mode);
    }

    private static Dictionary<string, string> Expected(string expected) =>
        expected.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('=')).ToDictionary(e => e[0], e => e[1]);

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex ModeWords();
}
