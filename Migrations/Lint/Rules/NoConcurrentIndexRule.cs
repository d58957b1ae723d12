using System.Text.RegularExpressions;
using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>The migrator runs a script in one transaction unless its first line marks it
/// no-transaction, and CREATE/DROP INDEX CONCURRENTLY cannot run inside one: the script would fail
/// on every deployment.</summary>
public sealed partial class NoConcurrentIndexRule : ILintRule
{
    public string Name => "no-concurrent-index";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block, and a script runs in one unless marked no-transaction.";

    public string Remedy => "Put the statement in its own script whose first line is '-- migrator: no-transaction'.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        ScriptModeMarker.Of(script.Text) == ScriptMode.NoTransaction ? [] : Pattern().Matches(script.Skeleton).Select(match => script.Finding(this, match.Index,
            "INDEX CONCURRENTLY cannot run inside the script's transaction"));

    [GeneratedRegex(@"\b(?:CREATE\s+(?:UNIQUE\s+)?|DROP\s+)INDEX\s+CONCURRENTLY\b", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
