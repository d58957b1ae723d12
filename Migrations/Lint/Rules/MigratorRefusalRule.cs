using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// What <c>up</c> refuses before anything runs (<see cref="ScriptRules"/>: exit 6), reported by <c>lint</c> and
/// <c>plan</c> from the same rules, so no verb passes a script another refuses. Never accepted by a comment or
/// <c>--allow</c>: <c>up</c> cannot run such a script whatever is accepted.
/// </summary>
public sealed class MigratorRefusalRule : ILintRule
{
    public const string RuleName = "migrator-refuses";

    public string Name => RuleName;

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "up refuses the whole run before anything runs (exit 6): the statement cannot run faithfully through the migrator.";

    public string Remedy => "Do what the message says; statements PostgreSQL refuses in a transaction go in a script whose first line is '-- migrator: no-transaction'.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        foreach (var problem in ScriptRules.Check(script.Name, SqlScanner.Scan(script.Text), ScriptModeMarker.Of(script.Text)))
        {
            var offset = script.Statements.FirstOrDefault(s => s.Line == problem.Line)?.Start ?? OffsetOfLine(script, problem.Line);
            yield return script.Finding(this, offset, problem.Reason);
        }
    }

    private static int OffsetOfLine(SqlScriptFile script, int line)
    {
        var offset = 0;
        for (var current = 1; current < line && offset < script.Text.Length; current++)
        {
            var next = script.Text.IndexOf('\n', offset);
            offset = next < 0 ? script.Text.Length : next + 1;
        }

        return offset;
    }
}
