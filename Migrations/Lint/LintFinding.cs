namespace WedSync.Migrations.Lint;

/// <summary>
/// A broken rule, located so the reader can jump to it (<c>file:line:column</c>, both 1-based), with
/// the rule's reason and remedy so the finding stands on its own in a review tool.
/// </summary>
public sealed record LintFinding(
    string Rule, string File, int Line, int Column, LintSeverity Severity, string Message, string Why, string Remedy)
{
    public override string ToString() =>
        $"{File}:{Line}:{Column}: {(Severity == LintSeverity.Error ? "error" : "warning")} [{Rule}] {Message}";
}
