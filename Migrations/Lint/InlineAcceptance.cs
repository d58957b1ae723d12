using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint;

/// <summary>
/// Findings a script accepts for itself, in a comment on the lines right above the statement:
/// <c>-- lint: allow RULE[, RULE]: reason</c> with our rule ids, or squawk's own
/// <c>-- squawk-ignore RULE[, RULE]</c> for the squawk rules that are the same check as one of ours
/// (CI runs squawk on every script, so a deliberate exception is usually written for it already).
/// The comment is part of the script, so the journal's checksum covers the acceptance too; a rule
/// overridden from outside the script is <c>up --allow</c>, which the journal records instead.
/// </summary>
public static partial class InlineAcceptance
{
    /// <summary>squawk rule (https://squawkhq.com/docs/rules) to the rule of ours that reports the same thing.</summary>
    public static readonly IReadOnlyDictionary<string, string> SquawkEquivalents = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["require-concurrent-index-creation"] = "lock-index-not-concurrent",
        ["constraint-missing-not-valid"] = "lock-constraint-not-valid",
        ["adding-foreign-key-constraint"] = "lock-constraint-not-valid",
        ["adding-field-with-default"] = "lock-volatile-default",
        ["changing-column-type"] = "lock-type-rewrite",
        ["require-timeout-settings"] = "lock-timeout-missing",
    };

    /// <summary><paramref name="findings"/> of <paramref name="script"/> without those its comments accept.</summary>
    public static IReadOnlyList<LintFinding> WithoutAccepted(SqlScriptFile script, IReadOnlyList<LintFinding> findings)
    {
        if (findings.Count == 0 || (!script.Text.Contains("lint:", StringComparison.Ordinal) && !script.Text.Contains("squawk-ignore", StringComparison.Ordinal)))
        {
            return findings;
        }

        var lines = script.Text.Split('\n');
        // What up refuses outright is no finding a comment can accept: up would still refuse it.
        return findings.Where(finding => finding.Rule == Rules.MigratorRefusalRule.RuleName || !AcceptedAt(lines, StatementLine(script, finding.Line)).Contains(finding.Rule)).ToList();
    }

    // The first line of the statement holding the finding: the comment that accepts it sits above that.
    private static int StatementLine(SqlScriptFile script, int findingLine) =>
        script.Statements.LastOrDefault(s => s.Line <= findingLine)?.Line ?? findingLine;

    private static HashSet<string> AcceptedAt(string[] lines, int statementLine)
    {
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        for (var index = statementLine - 2; index >= 0; index--)
        {
            var line = lines[index].Trim();
            if (!line.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }

            if (LintAllow().Match(line) is { Success: true } allow)
            {
                accepted.UnionWith(Names(allow.Groups["rules"].Value));
            }
            else if (SquawkIgnore().Match(line) is { Success: true } ignore)
            {
                accepted.UnionWith(Names(ignore.Groups["rules"].Value)
                    .Select(name => SquawkEquivalents.TryGetValue(name, out var ours) ? ours : null)
                    .OfType<string>());
            }
        }

        return accepted;
    }

    private static IEnumerable<string> Names(string list) =>
        list.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^--\s*lint:\s*allow\s+(?<rules>[a-z0-9][a-z0-9\-]*(?:\s*,\s*[a-z0-9][a-z0-9\-]*)*)\s*(?::.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex LintAllow();

    // Comma-separated rule names, optionally followed by "-- reason"; anything else (squawk-ignore-file, words
    // that are not a list) accepts nothing, so a malformed suppression can never silence more than it names.
    [GeneratedRegex(@"^--\s*squawk-ignore\s+(?<rules>[a-z0-9][a-z0-9\-]*(?:\s*,\s*[a-z0-9][a-z0-9\-]*)*)\s*(?:--.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SquawkIgnore();
}
