using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// Policies call the claim helpers as <c>(SELECT app.helper())</c>: wrapped, PostgreSQL evaluates
/// the call once per statement as an init plan; bare, it may call it for every row (and the
/// helpers read the claims JSON and user_profiles each time).
/// </summary>
public sealed partial class WrappedHelperCallRule : ILintRule
{
    public string Name => "wrapped-helper-call";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "A bare call in a policy may be evaluated for every row; wrapped in (SELECT ...), PostgreSQL evaluates it once per statement as an init plan.";

    public string Remedy => "Write (SELECT app.helper()) in the policy.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        from statement in script.Statements
        where PolicyPattern().IsMatch(statement.Skeleton)
        from Match call in BareCallPattern().Matches(statement.Skeleton)
        select script.Finding(this, statement.Start + call.Index,
            $"policy calls {call.Value.TrimEnd('(', ' ')}() unwrapped; write (SELECT {call.Value.TrimEnd('(', ' ')}())");

    [GeneratedRegex(@"^(?:CREATE|ALTER)\s+POLICY\b", RegexOptions.IgnoreCase)]
    private static partial Regex PolicyPattern();

    [GeneratedRegex(@"(?<!\(\s*SELECT\s+)\bapp\s*\.\s*\w+\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex BareCallPattern();
}
