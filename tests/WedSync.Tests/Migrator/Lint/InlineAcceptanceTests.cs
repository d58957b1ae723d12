using WedSync.Migrations.Lint;

namespace WedSync.Tests.Migrator.Lint;

/// <summary>
/// Findings a script accepts in a comment right above the statement (<c>-- lint: allow</c>, squawk's
/// <c>-- squawk-ignore</c>), and nothing more: a suppression that does not parse accepts nothing
/// (squawk#974: a malformed squawk-ignore-file silenced every rule of the file).
/// </summary>
public sealed class InlineAcceptanceTests
{
    private const string Index = "CREATE INDEX ix_referrals_x ON referrals (status);";

    [Theory]
    [InlineData("-- squawk-ignore require-concurrent-index-creation\n")]
    [InlineData("-- squawk-ignore require-concurrent-index-deletion, require-concurrent-index-creation\n")]
    [InlineData("-- squawk-ignore require-concurrent-index-creation  -- referrals is small here\n")]
    [InlineData("-- lint: allow lock-index-not-concurrent: referrals is small here\n")]
    [InlineData("-- lint: allow lock-index-not-concurrent\n-- a second comment line between\n")]
    public void Comment_right_above_the_statement_accepts_its_rule(string comment) =>
        Assert.DoesNotContain(Rules(comment + Index), r => r == "lock-index-not-concurrent");

    [Theory]
    // Another rule only.
    [InlineData("-- lint: allow lock-timeout-missing: reason\n")]
    [InlineData("-- squawk-ignore require-concurrent-index-deletion\n")]
    // A blank line: the comment is about something else.
    [InlineData("-- lint: allow lock-index-not-concurrent\n\n")]
    // squawk#974: trailing text or a file-level ignore does not parse here, so it accepts nothing.
    [InlineData("-- squawk-ignore-file require-concurrent-index-creation   -- created in this transaction\n")]
    [InlineData("-- squawk-ignore-file\n")]
    [InlineData("-- squawk-ignore require-concurrent-index-creation created in this transaction\n")]
    public void Anything_else_accepts_nothing(string comment) =>
        Assert.Contains(Rules(comment + Index), r => r == "lock-index-not-concurrent");

    [Fact]
    public void Acceptance_covers_its_own_statement_only()
    {
        var rules = Rules("-- lint: allow lock-index-not-concurrent\n" + Index + "\nCREATE INDEX ix_referrals_y ON referrals (created_at);\n");

        Assert.Single(rules, r => r == "lock-index-not-concurrent");
    }

    private static List<string> Rules(string text) =>
        ScriptLinter.AllRules.Lint(SqlScriptFile.Parse("29990101000000_x.sql", "SET LOCAL lock_timeout = '5s';\n" + text), []).Select(f => f.Rule).ToList();
}
