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
    public static IReadOnlyList<string> RuleNames => ScriptLinter.AllRules.Rules.Select(r => r.Name)
        .Where(name => name != Rules.MigratorRefusalRule.RuleName).Order(StringComparer.Ordinal).ToList();

    public bool Passed => Refused.Count == 0;

    /// <summary>
    /// Lints <paramref name="pending"/> with every rule, the whole catalog as the evidence the rules may
    /// look at (an index a later script adds), as <c>lint</c> would lint the folder.
    /// </summary>
    public static PendingScriptGate Check(ScriptCatalog catalog, IReadOnlyCollection<string> pending, IReadOnlyCollection<string> allowed) =>
        pending.Count == 0 ? Check(new Dictionary<string, IReadOnlyList<LintFinding>>(), pending, allowed) : Check(ErrorsByScript(catalog, pending), pending, allowed);

    /// <summary>
    /// The gate from error findings linted before (<see cref="ErrorsByScript"/>): <c>up</c> lints while it
    /// connects, takes the lock and reads the journal, so the lint costs a run no time of its own.
    /// </summary>
    public static PendingScriptGate Check(
        IReadOnlyDictionary<string, IReadOnlyList<LintFinding>> errorsByScript, IReadOnlyCollection<string> pending, IReadOnlyCollection<string> allowed)
    {
        var refused = new List<LintFinding>();
        var overridden = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, errors) in errorsByScript.Where(e => pending.Contains(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            refused.AddRange(errors.Where(f => !allowed.Contains(f.Rule)));
            var allowedHere = errors.Select(f => f.Rule).Where(allowed.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
            if (allowedHere.Count > 0)
            {
                overridden[name] = allowedHere;
            }
        }

        return new PendingScriptGate(refused, overridden);
    }

    /// <summary>
    /// Error-level findings per script of the catalog (only of <paramref name="only"/> when given), without
    /// the refusals: up refuses those first, with exit 6, from the same <see cref="Sql.ScriptRules"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<LintFinding>> ErrorsByScript(ScriptCatalog catalog, IReadOnlyCollection<string>? only = null)
    {
        var files = catalog.Scripts.Select(s => SqlScriptFile.Parse(s.Name, s.Contents)).ToList();
        return files.Where(f => only is null || only.Contains(f.Name))
            .Select(file => (file.Name, Errors: (IReadOnlyList<LintFinding>)ScriptLinter.AllRules.Lint(file, files)
                .Where(f => f.Severity == LintSeverity.Error && f.Rule != Rules.MigratorRefusalRule.RuleName).ToList()))
            .ToDictionary(e => e.Name, e => e.Errors, StringComparer.Ordinal);
    }

    /// <summary>
    /// The catalog linted with no database (<see cref="ErrorsByScript"/>), the parsed files kept: once <c>up</c> has
    /// the database, <see cref="CatalogLint.KnowingAsync"/> lints again only the pending scripts that create IF NOT
    /// EXISTS a table the database has (their locks on it are on an existing table).
    /// </summary>
    public static CatalogLint LintCatalog(ScriptCatalog catalog)
    {
        var files = catalog.Scripts.Select(s => SqlScriptFile.Parse(s.Name, s.Contents)).ToList();
        return new CatalogLint(files, files.ToDictionary(f => f.Name, f => Errors(f, files), StringComparer.Ordinal));
    }

    internal static IReadOnlyList<LintFinding> Errors(SqlScriptFile file, IReadOnlyList<SqlScriptFile> files) =>
        ScriptLinter.AllRules.Lint(file, files).Where(f => f.Severity == LintSeverity.Error && f.Rule != Rules.MigratorRefusalRule.RuleName).ToList();

    /// <summary>The refusal, one finding a line with its remedy, and how to override.</summary>
    public string Message() =>
        $"Nothing was applied: {Refused.Count} error finding(s) of the lint in pending scripts " +
        "(fix the script, accept the finding in a comment above the statement: -- lint: allow RULE: reason, " +
        "or override the rule for this run with --allow RULE, which the journal records):\n  " +
        string.Join("\n  ", Refused.Select(f => $"{f}\n      fix: {f.Remedy}"));
}

/// <summary>Error findings per script of the catalog, with the parsed files they came from.</summary>
public sealed record CatalogLint(IReadOnlyList<SqlScriptFile> Files, IReadOnlyDictionary<string, IReadOnlyList<LintFinding>> Errors)
{
    /// <summary>
    /// The errors once the database is known: a pending script creating IF NOT EXISTS a table the database has is
    /// linted again knowing it (one query, only when some pending script has such a table).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<LintFinding>>> KnowingAsync(
        Npgsql.NpgsqlDataSource dataSource, IReadOnlyCollection<string> pending, CancellationToken cancellationToken)
    {
        var pendingFiles = Files.Where(f => pending.Contains(f.Name)).ToList();
        var existing = await LiveTables.ExistingAsync(dataSource, LiveTables.Questions(pendingFiles), cancellationToken);
        if (existing.Count == 0)
        {
            return Errors;
        }

        var errors = new Dictionary<string, IReadOnlyList<LintFinding>>(Errors, StringComparer.Ordinal);
        foreach (var file in pendingFiles.Where(f => f.CreatedTables.Any(t => t.IfNotExists && existing.Contains(t.Name))))
        {
            errors[file.Name] = PendingScriptGate.Errors(file.Knowing(existing), Files);
        }

        return errors;
    }
}
