using System.Text.RegularExpressions;

namespace WedSync.Tests.Schema.Lint.Rules;

/// <summary>The migrator runs every script in one transaction, and CREATE/DROP INDEX CONCURRENTLY
/// cannot run inside one: the script would fail on every deployment.</summary>
public sealed partial class NoConcurrentIndexRule : ILintRule
{
    public string Name => "no-concurrent-index";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        Pattern().Matches(script.Skeleton).Select(match => new LintFinding(
            Name, script.Name, script.LineAt(match.Index),
            "INDEX CONCURRENTLY cannot run inside the script's transaction"));

    [GeneratedRegex(@"\b(?:CREATE\s+(?:UNIQUE\s+)?|DROP\s+)INDEX\s+CONCURRENTLY\b", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
