using WedSync.Migrations.Catalog;

namespace WedSync.Migrations.Lint;

/// <summary>Output format of <c>lint</c>.</summary>
public enum LintFormat
{
    Text,
    Json,
    Sarif,
}

/// <summary>
/// <c>lint [PATH...] [--json|--sarif] [--fix]</c>: lints files and folders (a folder: its *.sql, sorted
/// by name, which is the order the migrator applies them), prints the findings, and with --fix rewrites
/// what <see cref="LintFixer"/> can, never a script that is applied: one registered in the request
/// manifest (the catalog's applied history) or named in <paramref name="applied"/> (the journal).
/// Exit code: 0 no error finding, 1 error findings (after fixing, those left), 2 a path does not exist.
/// </summary>
public sealed class LintCommand(TextWriter output, TextWriter errors)
{
    public const int Clean = 0;
    public const int Findings = 1;
    public const int Usage = 2;

    public int Run(IReadOnlyList<string> paths, LintFormat format, bool fix, IReadOnlySet<string>? applied = null)
    {
        var files = new List<SqlScriptFile>();
        foreach (var path in paths.Count == 0 ? [DefaultFolder()] : paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.GetFiles(path, "*.sql").Order(StringComparer.Ordinal).Select(f => SqlScriptFile.Load(f, f)));
            }
            else if (File.Exists(path))
            {
                files.Add(SqlScriptFile.Load(path, path));
            }
            else
            {
                errors.WriteLine($"lint: no such file or folder: {path}");
                return Usage;
            }
        }

        if (fix)
        {
            files = files.Select(file => FixOne(file, applied, format == LintFormat.Text ? output : errors)).ToList();
        }

        var findings = files.SelectMany(file => ScriptLinter.AllRules.Lint(file, files)).ToList();
        output.WriteLine(format switch
        {
            LintFormat.Json => LintReport.Json(findings),
            LintFormat.Sarif => LintReport.Sarif(findings, ScriptLinter.AllRules.Rules),
            _ => LintReport.Text(findings, files.Count),
        });
        return findings.Any(f => f.Severity == LintSeverity.Error) ? Findings : Clean;
    }

    /// <summary>Manifest entries are scripts the catalog has shipped: they are applied somewhere and their checksum is fixed.</summary>
    public static bool IsApplied(string fileName, IReadOnlySet<string>? applied) =>
        (applied?.Contains(fileName) ?? false)
        || RequestManifest.Embedded().Requests.Values.Any(scripts => scripts.Contains(fileName));

    private SqlScriptFile FixOne(SqlScriptFile file, IReadOnlySet<string>? applied, TextWriter diffs)
    {
        var (text, changes) = LintFixer.Fix(file);
        if (changes.Count == 0 || file.Path is null)
        {
            return file;
        }

        var name = Path.GetFileName(file.Path);
        if (IsApplied(name, applied))
        {
            errors.WriteLine($"lint --fix: {file.Name} is applied (its checksum is in the journal or the manifest); left untouched");
            return file;
        }

        File.WriteAllText(file.Path, text);
        // With --json/--sarif the diff goes to stderr, so stdout stays parseable.
        diffs.WriteLine(LintFixer.Diff(file.Name, changes));
        return SqlScriptFile.Load(file.Path, file.Name);
    }

    // Run from the repository root, the catalog's folder; from Migrations/, its Scripts folder.
    private static string DefaultFolder() =>
        Directory.Exists(Path.Combine("Migrations", ScriptCatalog.SchemaFolder)) ? Path.Combine("Migrations", ScriptCatalog.SchemaFolder) : ScriptCatalog.SchemaFolder;
}
