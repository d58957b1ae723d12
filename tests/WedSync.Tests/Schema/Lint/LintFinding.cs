namespace WedSync.Tests.Schema.Lint;

/// <summary>A broken rule, located so the reader can jump to it: <c>file:line: [rule] message</c>.</summary>
public sealed record LintFinding(string Rule, string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: [{Rule}] {Message}";
}
