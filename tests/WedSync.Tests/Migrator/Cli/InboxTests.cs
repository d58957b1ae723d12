using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Cli;

/// <summary>
/// <c>--inbox PATH</c> (issue 28): the folder the expert's day works on, taken by every verb that reads scripts,
/// the same as <c>Migrations:AdditionalScriptsPath</c>; its <c>R__*.sql</c> files are repeatable scripts.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class InboxTests(AppHostFixture fixture)
{
    private const string Versioned = "20250904600000_inbox_once.sql";
    private const string Repeatable = "R__inbox_version.sql";

    [Theory]
    [InlineData("up", "--inbox", "/tmp/in")]
    [InlineData("plan", "--inbox=/tmp/in")]
    [InlineData("status", "--json", "--inbox", "/tmp/in")]
    [InlineData("verify", "--inbox", "/tmp/in")]
    [InlineData("lint", "--inbox", "/tmp/in")]
    [InlineData("repair", "a.sql", "--inbox", "/tmp/in")]
    public void Every_verb_that_reads_scripts_takes_the_inbox_as_the_additional_scripts_path(params string[] args)
    {
        var command = MigratorCommand.Parse(args);

        Assert.NotNull(command);
        Assert.Equal("/tmp/in", command.Inbox);
        Assert.Equal("--Migrations:AdditionalScriptsPath=/tmp/in", command.ConfigurationArgs(args)[^1]);
    }

    [Fact]
    public void A_home_path_no_shell_expanded_is_expanded_and_two_inboxes_or_none_are_a_usage_error()
    {
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "inbox"), MigratorCommand.Parse(["plan", "--inbox=~/inbox"])?.Inbox);
        Assert.Null(MigratorCommand.Parse(["plan", "--inbox", "/a", "--inbox", "/b"]));
        Assert.Null(MigratorCommand.Parse(["plan", "--inbox"]));
        Assert.Null(MigratorCommand.Parse(["plan", "--inbox", "--json"]));
    }

    [Fact]
    public async Task The_experts_day_reaches_the_inbox_as_typed_and_its_repeatable_reruns_when_changed()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var home = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"home-{Guid.NewGuid():N}");
        var inbox = Path.Combine(home, "inbox");
        Directory.CreateDirectory(inbox);
        File.WriteAllText(Path.Combine(inbox, Versioned),
            "CREATE TABLE inbox_runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, text_version integer NOT NULL);\n" +
            "ALTER TABLE inbox_runs ENABLE ROW LEVEL SECURITY;\n" +
            "CREATE POLICY inbox_runs_none ON inbox_runs FOR SELECT USING (false);\n");
        File.WriteAllText(Path.Combine(inbox, Repeatable), Version(1));
        var environment = new Dictionary<string, string?> { ["HOME"] = home };

        var lint = await MigratorProcess.RunInShellAsync(database.ConnectionString, "lint --inbox ~/inbox", environment);
        var plan = await MigratorProcess.RunInShellAsync(database.ConnectionString, "plan --inbox ~/inbox", environment);
        var up = await MigratorProcess.RunInShellAsync(database.ConnectionString, "up --inbox ~/inbox", environment);
        var status = await MigratorProcess.RunInShellAsync(database.ConnectionString, "status --json --inbox ~/inbox", environment);
        var verifyWithout = await MigratorProcess.RunAsync(database.ConnectionString, "verify");
        var verify = await MigratorProcess.RunInShellAsync(database.ConnectionString, "verify --inbox ~/inbox", environment);

        Assert.True(lint.ExitCode == 0, lint.Output);
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains(Versioned, plan.Output);
        Assert.Contains(Repeatable, plan.Output);
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains(Repeatable, status.Output);
        Assert.Equal(MigrationOutcome.VerifyFailed, verifyWithout.ExitCode);
        Assert.Contains("--inbox", verifyWithout.Output);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Equal(1, await database.ScalarAsync("SELECT inbox_version()"));

        // The inbox's R__ file is a repeatable script: changed text runs once more, unchanged text does not.
        File.WriteAllText(Path.Combine(inbox, Repeatable), Version(2));
        var changed = await MigratorProcess.RunAsync(database.ConnectionString, "up", "--inbox", inbox);
        var unchanged = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--inbox={inbox}");
        var verifyAfter = await MigratorProcess.RunAsync(database.ConnectionString, "verify", "--inbox", inbox);

        Assert.True(changed.ExitCode == 0, changed.Output);
        Assert.True(unchanged.ExitCode == 0, unchanged.Output);
        Assert.True(verifyAfter.ExitCode == 0, verifyAfter.Output);
        Assert.Equal(2, await database.ScalarAsync("SELECT inbox_version()"));
        Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM inbox_runs"));
        Assert.Equal(1L, await database.ScalarAsync($"SELECT count(*) FROM wedsync_migrations.journal WHERE script_name = '{Versioned}'"));
    }

    // Records each run in the versioned script's table: the count is the number of runs.
    private static string Version(int version) =>
        "SET LOCAL lock_timeout = '10s';\n" +
        $"INSERT INTO inbox_runs (text_version) VALUES ({version});\n" +
        $"CREATE OR REPLACE FUNCTION inbox_version() RETURNS integer LANGUAGE sql AS $$ SELECT {version} $$;\n";
}
