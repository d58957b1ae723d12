using System.Text.Json.Nodes;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>
/// Issue 23, kind 7: a pending script with the text of an applied one is never run again silently. up refuses
/// it (exit 3, nothing applied) naming both scripts; <c>repair NEW</c> records the rename (the journal row moves
/// to the new name), after which up applies nothing. Real binary, real PostgreSQL.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class RenamedScriptTests(AppHostFixture fixture)
{
    private const string Rows = "SELECT count(*) FROM rename_rows";

    // The example: an applied script renamed for a typo; its INSERT would duplicate its rows.
    [Fact]
    public async Task A_renamed_applied_script_is_refused_and_repair_records_the_rename()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await database.ScalarAsync("CREATE TABLE rename_rows (id int)");
        const string text = "INSERT INTO rename_rows VALUES (1), (2);\n";
        var folder = TestScripts.Folder(("29990101000000_seed_rwos.sql", text));
        try
        {
            var first = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(first.ExitCode == 0, first.Output);
            File.Move(Path.Combine(folder, "29990101000000_seed_rwos.sql"), Path.Combine(folder, "29990101000000_seed_rows.sql"));

            var refused = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.True(refused.ExitCode == 3, refused.Output);
            Assert.Contains("29990101000000_seed_rows.sql has the same text", refused.Output);
            Assert.Contains("as the applied 29990101000000_seed_rwos.sql, which the catalog no longer has", refused.Output);
            Assert.Contains("repair 29990101000000_seed_rows.sql", refused.Output);
            Assert.Equal(2L, await database.ScalarAsync(Rows));

            // plan gives up's refusal (exit 3) and its advice, in text and JSON; status says it under its table.
            var plan = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(plan.ExitCode == 3, plan.Output);
            Assert.Contains("up would refuse this run before anything runs (exit 3)", plan.StandardOutput);
            Assert.Contains("repair 29990101000000_seed_rows.sql", plan.StandardOutput);
            var planJson = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", "--json", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(planJson.ExitCode == 3, planJson.Output);
            var renamed = JsonNode.Parse(planJson.StandardOutput)!.AsArray().SelectMany(r => r!["scripts"]!.AsArray()).SelectMany(s => s!["findings"]!.AsArray())
                .Single(f => f!["rule"]!.GetValue<string>() == "renamed-script")!;
            Assert.Contains("repair 29990101000000_seed_rows.sql", renamed["message"]!.GetValue<string>());
            var status = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "status", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.Contains("up refuses (exit 3): 29990101000000_seed_rows.sql has the same text", status.StandardOutput);

            var repair = await MigratorProcess.RunAsync(database.ConnectionString, "repair", "29990101000000_seed_rows.sql", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(repair.ExitCode == 0, repair.Output);
            var again = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Equal(2L, await database.ScalarAsync(Rows));
            Assert.Equal("29990101000000_seed_rows.sql", await database.ScalarAsync("SELECT string_agg(script_name, ',') FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Kind 1 again (plan passing what up refuses): an applied script edited in place (flyway/flyway#2001,
    // "validate failed: migration checksum mismatch" only at migrate time). up refuses it (exit 3); plan must too.
    [Fact]
    public async Task An_applied_script_changed_since_it_ran_is_refused_by_plan_as_by_up()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await database.ScalarAsync("CREATE TABLE rename_rows (id int)");
        var folder = TestScripts.Folder(("29990101000000_seed_rows.sql", "INSERT INTO rename_rows VALUES (1);\n"));
        try
        {
            var first = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(first.ExitCode == 0, first.Output);
            File.WriteAllText(Path.Combine(folder, "29990101000000_seed_rows.sql"), "INSERT INTO rename_rows VALUES (1), (2);\n");

            var refused = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(refused.ExitCode == 3, refused.Output);

            var plan = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(plan.ExitCode == 3, plan.Output);
            Assert.Contains("up would refuse this run before anything runs (exit 3)", plan.StandardOutput);
            Assert.Contains("29990101000000_seed_rows.sql was changed since it ran", plan.StandardOutput);
            var planJson = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", "--json", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(planJson.ExitCode == 3, planJson.Output);
            var modified = JsonNode.Parse(planJson.StandardOutput)!.AsArray().SelectMany(r => r!["scripts"]!.AsArray()).SelectMany(s => s!["findings"]!.AsArray())
                .Single(f => f!["rule"]!.GetValue<string>() == "modified-script")!;
            Assert.Contains(modified.AsObject(), p => p.Value is JsonValue value && value.TryGetValue<string>(out var text)
                && text.Contains("repair 29990101000000_seed_rows.sql", StringComparison.Ordinal));
            Assert.Equal(1L, await database.ScalarAsync(Rows));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Added instances: betterlytics/betterlytics#1062 and kenlasko/monize#1275 renumbered applied scripts whose
    // prefixes clashed (37 to 38, 38 to 39, byte-identical), which a name-keyed journal runs again; and a script
    // copied under a new name while the applied one stays (a cherry-pick with a new timestamp).
    [Fact]
    public async Task Renumbered_scripts_are_renamed_together_and_a_copy_is_refused_with_other_advice()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await database.ScalarAsync("CREATE TABLE rename_rows (id int)");
        var folder = TestScripts.Folder(
            ("29990101000037_usage.sql", "INSERT INTO rename_rows VALUES (37);\n"),
            ("29990101000038_events.sql", "INSERT INTO rename_rows VALUES (38);\n"));
        try
        {
            var first = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(first.ExitCode == 0, first.Output);
            File.Move(Path.Combine(folder, "29990101000038_events.sql"), Path.Combine(folder, "29990101000039_events.sql"));
            File.Move(Path.Combine(folder, "29990101000037_usage.sql"), Path.Combine(folder, "29990101000038_usage.sql"));

            var refused = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(refused.ExitCode == 3, refused.Output);
            Assert.Contains("2 pending script(s)", refused.Output);

            var repair = await MigratorProcess.RunAsync(database.ConnectionString, "repair", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(repair.ExitCode == 0, repair.Output);
            Assert.Equal("29990101000038_usage.sql,29990101000039_events.sql",
                await database.ScalarAsync("SELECT string_agg(script_name, ',' ORDER BY script_name) FROM wedsync_migrations.journal WHERE script_name LIKE '2999%'"));

            File.Copy(Path.Combine(folder, "29990101000038_usage.sql"), Path.Combine(folder, "29990101000040_usage_again.sql"));
            var copy = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(copy.ExitCode == 3, copy.Output);
            Assert.Contains("which the catalog still has", copy.Output);
            Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM rename_rows"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }
}
