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
/// A file psql would refuse (not UTF-8) is a finding of <see cref="Rules.ScriptEncodingRule"/> in every format.
/// Exit code: 0 no error finding, 1 error findings (after fixing, those left), 2 a path does not exist or
/// a file or folder could not be read, or with --fix written (each named; no stack trace, nothing half-written).
/// </summary>
public sealed class LintCommand(TextWriter output, TextWriter errors)
{
    public const int Clean = 0;
    public const int Findings = 1;
    public const int Usage = 2;

    private readonly List<LintFinding> refusedEncodings = [];

    public int Run(IReadOnlyList<string> paths, LintFormat format, bool fix, IReadOnlySet<string>? applied = null, string[]? configurationArgs = null)
    {
        try
        {
            return RunChecked(paths, format, fix, applied, configurationArgs);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // What the steps below do not name themselves (the output could not be written, say).
            errors.WriteLine($"lint: {ex.Message}");
            return Usage;
        }
    }

    private int RunChecked(IReadOnlyList<string> paths, LintFormat format, bool fix, IReadOnlySet<string>? applied, string[]? configurationArgs)
    {
        var files = new List<SqlScriptFile>();
        var unreadable = new List<string>();
        foreach (var path in paths.Count == 0 ? DefaultFolders() : paths)
        {
            if (Directory.Exists(path))
            {
                if (TryIo(() => Directory.GetFiles(path, "*.sql"), out var found, out var problem))
                {
                    files.AddRange(found.Order(StringComparer.Ordinal).Select(f => Read(f, unreadable)).OfType<SqlScriptFile>());
                }
                else
                {
                    unreadable.Add($"lint: the folder {path} could not be read: {problem}");
                }
            }
            else if (File.Exists(path))
            {
                files.AddRange(Read(path, unreadable) is { } file ? [file] : []);
            }
            else
            {
                errors.WriteLine($"lint: no such file or folder: {path}");
                return Usage;
            }
        }

        if (unreadable.Count > 0)
        {
            unreadable.ForEach(errors.WriteLine);
            return Usage;
        }

        if (fix && !TryFix(files, applied, format == LintFormat.Text ? output : errors, out files))
        {
            return Usage;
        }

        if (configurationArgs is null || !KnowTheDatabase(files, applied, configurationArgs))
        {
            // No database: a script the manifest registers has shipped, and ran where it was applied; its IF NOT EXISTS is history.
            files.Where(f => IsApplied(System.IO.Path.GetFileName(f.Path ?? f.Name), applied)).ToList().ForEach(f => f.Applied());
        }

        // A file psql would refuse is a finding like any other (every format), the other files linted as usual.
        var findings = refusedEncodings.Concat(files.SelectMany(file => ScriptLinter.AllRules.Lint(file, files))).ToList();
        output.WriteLine(format switch
        {
            LintFormat.Json => LintReport.Json(findings),
            LintFormat.Sarif => LintReport.Sarif(findings, [.. ScriptLinter.AllRules.Rules, Rules.ScriptEncodingRule.Instance]),
            _ => LintReport.Text(findings, files.Count + refusedEncodings.Count),
        });
        return findings.Any(f => f.Severity == LintSeverity.Error) ? Findings : Clean;
    }

    /// <summary>
    /// With a database configured (as up's: ConnectionStrings:wedsync), a script its journal does not list is judged
    /// against it: a table it creates IF NOT EXISTS that the database has is an existing table to the lock rules.
    /// Without one, or when it cannot be read (said on stderr), the lint judges offline and warns (lock-if-not-exists).
    /// </summary>
    private bool KnowTheDatabase(List<SqlScriptFile> files, IReadOnlySet<string>? applied, string[] configurationArgs)
    {
        try
        {
            if (MigratorConfiguration.OptionalConnectionString(MigratorConfiguration.Build(configurationArgs)) is not { } connectionString)
            {
                return false;
            }

            applied ??= JournalScripts.ReadAsync(connectionString, CancellationToken.None).GetAwaiter().GetResult();
            var pending = files.Where(f => !applied.Contains(System.IO.Path.GetFileName(f.Path ?? f.Name))).ToList();
            using var dataSource = Engine.MigratorDataSource.Create(connectionString);
            var existing = LiveTables.ExistingAsync(dataSource, LiveTables.Questions(pending), CancellationToken.None).GetAwaiter().GetResult();
            files.ForEach(f => _ = pending.Contains(f) ? f.Knowing(existing) : f.Applied());
            return true;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or MigratorConfigurationException or ArgumentException)
        {
            errors.WriteLine($"lint: the database could not be read ({ex.Message}); tables created IF NOT EXISTS are judged without it");
            return false;
        }
    }

    /// <summary>Manifest entries are scripts the catalog has shipped: they are applied somewhere and their checksum is fixed.</summary>
    public static bool IsApplied(string fileName, IReadOnlySet<string>? applied) =>
        (applied?.Contains(fileName) ?? false)
        || RequestManifest.Embedded().Requests.Values.Any(scripts => scripts.Contains(fileName));

    /// <summary>
    /// Fixes what can be fixed in two steps, so no file is ever half-written: each fixed text is first
    /// written in full to a new file beside its script (and the script checked writable), then each new
    /// file replaces its script by a rename. When any script can't be written in the first step, none
    /// is changed and every one that can't is named; a rename failing after that leaves each script whole,
    /// the old text or the new, and names the ones left old.
    /// </summary>
    private bool TryFix(List<SqlScriptFile> files, IReadOnlySet<string>? applied, TextWriter diffs, out List<SqlScriptFile> result)
    {
        var pending = new List<(SqlScriptFile File, string Text, IReadOnlyList<LintFixer.Change> Changes)>();
        foreach (var file in files)
        {
            var (text, changes) = LintFixer.Fix(file);
            if (changes.Count == 0 || file.Path is null)
            {
                continue;
            }

            if (IsApplied(Path.GetFileName(file.Path), applied))
            {
                errors.WriteLine($"lint --fix: {file.Name} is applied (its checksum is in the journal or the manifest); left untouched");
                continue;
            }

            pending.Add((file, text, changes));
        }

        var staged = new List<(SqlScriptFile File, string Text, IReadOnlyList<LintFixer.Change> Changes, string Target, string Temporary)>();
        var failed = new List<string>();
        foreach (var (file, text, changes) in pending)
        {
            if (TryIo(() => Stage(file.Path!, text), out var stage, out var problem))
            {
                staged.Add((file, text, changes, stage.Target, stage.Temporary));
            }
            else
            {
                failed.Add($"lint --fix: {file.Name} could not be written: {problem}");
            }
        }

        if (failed.Count > 0)
        {
            staged.ForEach(s => TryIo(() => File.Delete(s.Temporary), out _));
            failed.ForEach(errors.WriteLine);
            errors.WriteLine("lint --fix: no file was changed");
            result = files;
            return false;
        }

        var replaced = new Dictionary<SqlScriptFile, SqlScriptFile>();
        foreach (var (file, text, changes, target, temporary) in staged)
        {
            if (TryIo(() => File.Move(temporary, target, overwrite: true), out var problem))
            {
                // With --json/--sarif the diff goes to stderr, so stdout stays parseable.
                diffs.WriteLine(LintFixer.Diff(file.Name, changes));
                replaced[file] = TryIo(() => SqlScriptFile.Load(file.Path!, file.Name), out var reloaded, out _) ? reloaded : SqlScriptFile.Parse(file.Name, text);
            }
            else
            {
                TryIo(() => File.Delete(temporary), out _);
                failed.Add($"lint --fix: {file.Name} could not be written: {problem}; it is unchanged");
            }
        }

        failed.ForEach(errors.WriteLine);
        result = files.Select(file => replaced.GetValueOrDefault(file, file)).ToList();
        return failed.Count == 0;
    }

    /// <summary>The fixed text in full in a new file beside the script (the script's link target, if it is a link), with its mode.</summary>
    private static (string Target, string Temporary) Stage(string path, string text)
    {
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        // The rename below would replace a script its owner made read-only: refuse what a write would.
        File.OpenHandle(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite).Dispose();
        var folder = Path.GetDirectoryName(target)!;
        // Not *.sql: a leftover is never linted or applied.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.lint-fix");
        FileStream created;
        try
        {
            created = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"no file can be made in its folder {folder}, to replace it whole ({ex.Message})", ex);
        }

        try
        {
            using (var stream = created)
            {
                using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            }

            return (target, temporary);
        }
        catch
        {
            TryIo(() => File.Delete(temporary), out _);
            throw;
        }
    }

    /// <summary>The script, or null with the reason it can't be read added to <paramref name="unreadable"/>.</summary>
    private SqlScriptFile? Read(string path, List<string> unreadable)
    {
        try
        {
            if (TryIo(() => SqlScriptFile.Load(path, path), out var file, out var problem))
            {
                return file;
            }

            unreadable.Add($"lint: {path} could not be read: {problem}");
        }
        catch (ScriptEncodingException ex)
        {
            // Bytes psql refuses are a fault of the script, as up and plan say (exit 6): a finding, not a usage error.
            refusedEncodings.Add(Rules.ScriptEncodingRule.Instance.Finding(ex));
        }

        return null;
    }

    private static bool TryIo(Action step, out string problem) =>
        TryIo(() =>
        {
            step();
            return true;
        }, out _, out problem);

    /// <summary>Runs a file-system step; an I/O or permission failure becomes <paramref name="problem"/>.</summary>
    private static bool TryIo<T>(Func<T> step, out T value, out string problem)
    {
        try
        {
            value = step();
            problem = "";
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            value = default!;
            problem = ex.Message;
            return false;
        }
    }

    // Run from the repository root, the catalog's folders; from Migrations/, its Scripts and Repeatable folders.
    private static IReadOnlyList<string> DefaultFolders()
    {
        var root = Directory.Exists(Path.Combine("Migrations", ScriptCatalog.SchemaFolder)) ? "Migrations" : "";
        var repeatable = Path.Combine(root, ScriptCatalog.RepeatableFolder);
        return Directory.Exists(repeatable) ? [Path.Combine(root, ScriptCatalog.SchemaFolder), repeatable] : [Path.Combine(root, ScriptCatalog.SchemaFolder)];
    }
}
