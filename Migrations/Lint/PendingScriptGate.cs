using WedSync.Migrations.Catalog;

namespace WedSync.Migrations.Lint;

/// <summary>
/// What <c>up</c> checks before it applies anything: every error-level finding of every pending script
/// (applied scripts are history, never linted again). A finding whose rule was named by
/// <c>--allow</c> is overridden, and recorded per script in the journal; any other refuses the run.
/// </summary>
public sealed record PendingScriptGate(IReadOnlyList<LintFinding> Refused, IReadOnlyDictionary<string, IReadOnlyList<string>> Overridden)
{
    /// <summary>The rule ids <c>--allow</c> accepts.</summary>
    public static IReadOnlyList<string> RuleNames => ScriptLinter.AllRules.Rules.Select(r => r.Name).Order(StringComparer.Ordinal).ToList();

    public bool Passed => Refused.Count == 0;

    /// <summary>
    /// Lints <paramref name="pending"/> with every rule, the whole catalog as the evidence the rules may
    /// look at (an index a later script adds), as <c>lint</c> would lint the folder.
    /// </summary>
    public static PendingScriptGate Check(ScriptCatalog catalog, IReadOnlyCollection<string> pending, IReadOnlyCollection<string> allowed)
    {
        if (pending.Count == 0)
        {
            return new PendingScriptGate([], new Dictionary<string, IReadOnlyList<string>>());
        }

        var files = catalog.Scripts.Select(s => SqlScriptFile.Parse(s.Name, s.Contents)).ToList();
        var refused = new List<LintFinding>();
        var overridden = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var file in files.Where(f => pending.Contains(f.Name)))
        {
            var errors = ScriptLinter.AllRules.Lint(file, files).Where(f => f.Severity == LintSeverity.Error).ToList();
            refused.AddRange(errors.Where(f => !allowed.Contains(f.Rule)));
            var allowedHere = errors.Select(f => f.Rule).Where(allowed.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
            if (allowedHere.Count > 0)
            {
                overridden[file.Name] = allowedHere;
            }
        }

        return new PendingScriptGate(refused, overridden);
    }

    /// <summary>The refusal, one finding a line with its remedy, and how to override.</summary>
    public string Message() =>
        $"Nothing was applied: {Refused.Count} error finding(s) of the lint in pending scripts " +
        "(fix the script, accept the finding in a comment above the statement: -- lint: allow RULE: reason, " +
        "or override the rule for this run with --allow RULE, which the journal records):\n  " +
        string.Join("\n  ", Refused.Select(f => $"{f}\n      fix: {f.Remedy}"));
}
