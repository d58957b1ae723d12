using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Lint;

/// <summary>
/// Issue 14: <c>up</c> lints the pending scripts first. An error finding refuses the whole run before
/// anything is applied (exit 9, naming file, line and rule); <c>--allow RULE</c> overrides one rule and the
/// journal records it per script; a finding the script accepts in a comment needs no override; applied
/// scripts are never linted again. Real migrator binary, fresh database, the real catalog pending too.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class UpLintGateTests(AppHostFixture fixture)
{
    private const string JournalCount = "SELECT count(*) FROM wedsync_migrations.journal";

    // The example: a non-concurrent index on an existing table (referrals is created by the catalog).
    [Fact]
    public async Task Error_finding_refuses_the_run_with_nothing_applied_and_allow_applies_it_with_the_override_journaled()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder(
            ("29990101000000_gate_index.sql", "SET LOCAL lock_timeout = '5s';\nCREATE INDEX ix_referrals_gate ON referrals (created_at);\n"),
            ("29990101000001_gate_accepted.sql",
                "SET LOCAL lock_timeout = '5s';\n-- lint: allow lock-index-not-concurrent: referrals is small where this runs\n" +
                "CREATE INDEX ix_referrals_gate_accepted ON referrals (status);\n"));
        try
        {
            var refused = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.True(refused.ExitCode == 9, refused.Output);
            Assert.Contains("29990101000000_gate_index.sql:2:1: error [lock-index-not-concurrent]", refused.Output);
            Assert.DoesNotContain("29990101000001_gate_accepted.sql:", refused.Output);
            Assert.Contains("--allow", refused.Output);
            Assert.Equal("", refused.StandardOutput);
            Assert.Equal(0L, await database.ScalarAsync(JournalCount));
            Assert.Null(await database.ScalarAsync("SELECT to_regclass('public.referrals')::text"));

            var allowed = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}",
                "--allow", "lock-index-not-concurrent");

            Assert.True(allowed.ExitCode == 0, allowed.Output);
            Assert.Equal("lock-index-not-concurrent", await AllowedAsync(database, "29990101000000_gate_index.sql"));
            Assert.Equal("", await AllowedAsync(database, "29990101000001_gate_accepted.sql"));
            // The catalog's own deliberate exceptions are accepted in its scripts (squawk-ignore), never overridden.
            Assert.Equal("", await AllowedAsync(database, "20250901300000_ws170_canonical_mailbox.sql"));
            Assert.Equal("ix_referrals_gate", await database.ScalarAsync("SELECT to_regclass('public.ix_referrals_gate')::text"));

            // Applied scripts are history: the next run does not lint them, so it needs no --allow.
            var again = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(again.ExitCode == 0, again.Output);
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // Added instance: two rules in one statement (a volatile default rewriting an existing table, without
    // lock_timeout). Allowing one still refuses on the other; the journal records exactly the rules allowed.
    [Fact]
    public async Task Allowing_one_of_two_rules_still_refuses_and_both_are_journaled_once_allowed()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        var folder = TestScripts.Folder("29990101000000_gate_two_rules.sql", "ALTER TABLE referrals ADD COLUMN gate_token uuid DEFAULT gen_random_uuid();\n");
        try
        {
            var refused = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}",
                "--allow", "lock-volatile-default");

            Assert.True(refused.ExitCode == 9, refused.Output);
            Assert.Contains("29990101000000_gate_two_rules.sql:1:1: error [lock-timeout-missing]", refused.Output);
            Assert.DoesNotContain("[lock-volatile-default]", refused.Output);
            Assert.Equal(0L, await database.ScalarAsync(JournalCount));

            var allowed = await MigratorProcess.RunAsync(database.ConnectionString, "up", $"--Migrations:AdditionalScriptsPath={folder}",
                "--allow", "lock-volatile-default", "--allow=lock-timeout-missing");

            Assert.True(allowed.ExitCode == 0, allowed.Output);
            Assert.Equal("lock-timeout-missing,lock-volatile-default", await AllowedAsync(database, "29990101000000_gate_two_rules.sql"));
            Assert.Equal(1L, await database.ScalarAsync(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'referrals' AND column_name = 'gate_token'"));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    [Theory]
    [InlineData("up", "--allow", "no-such-rule")]
    [InlineData("status", "--allow", "lock-timeout-missing")]
    [InlineData("up", "--allow")]
    public async Task Allow_of_an_unknown_rule_or_outside_up_is_a_usage_error(params string[] args)
    {
        var (exitCode, output) = await MigratorProcess.RunAsync("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none", args);

        Assert.True(exitCode == 2, output);
        if (args is ["up", _, "no-such-rule"])
        {
            Assert.Contains("no-such-rule", output);
            Assert.Contains("lock-timeout-missing", output);
        }
    }

    private static async Task<string?> AllowedAsync(MigratorDatabase database, string script) =>
        (string?)await database.ScalarAsync(
            $"SELECT array_to_string(allowed_lint_rules, ',') FROM wedsync_migrations.journal WHERE script_name = '{script}'");
}
