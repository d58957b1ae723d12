using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Lint;

/// <summary>
/// One migration script as the lint sees it: its text with comments masked (<see cref="Code"/>),
/// with string contents masked as well (<see cref="Skeleton"/>), its statements as the migrator's
/// own <see cref="SqlScanner"/> cuts and masks them (<see cref="SqlMask"/>: the lint and <c>up</c> agree on what a statement, a comment and a string are),
/// and the line and column of any offset, so every finding names the place a reviewer opens.
/// </summary>
public sealed class SqlScriptFile
{
    private readonly int[] lineStarts;
    private IReadOnlyList<TableDefinition>? createdTables;

    private SqlScriptFile(string name, string text, string? path)
    {
        Name = name;
        Path = path;
        Text = text;
        // One scan serves the statements and both masks: the runner's reading of comments, strings and bodies.
        var scanned = SqlScanner.Scan(text);
        (Code, Skeleton) = SqlMask.Both(text, scanned);
        lineStarts = LineStarts(text);
        Scanned = scanned.Statements;
        Statements = Scanned.Select(s => new LintStatement(this, s.Start, s.End - s.Start)).ToList();
    }

    // A plain loop: up lints the whole catalog on every run, and a query over each character cost more than the scan.
    private static int[] LineStarts(string text)
    {
        var starts = new List<int>(text.Length / 32) { 0 };
        for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
        {
            starts.Add(i + 1);
        }

        return [.. starts];
    }

    /// <summary>The name shown in findings: the file name, or the path the user gave on the command line.</summary>
    public string Name { get; }

    /// <summary>Where the file was read from, when it was; <c>--fix</c> writes here.</summary>
    public string? Path { get; }

    public string Text { get; }

    public string Code { get; }

    public string Skeleton { get; }

    public IReadOnlyList<LintStatement> Statements { get; }

    /// <summary>The statements as the migrator's scanner cuts them (words, tokens).</summary>
    public IReadOnlyList<SqlStatement> Scanned { get; }

    /// <summary>The CREATE TABLE statements of the script, read once.</summary>
    public IReadOnlyList<TableDefinition> CreatedTables => createdTables ??= DdlParser.CreateTables(this).ToList();

    /// <summary>
    /// The tables this script creates IF NOT EXISTS that the database has already (from <see cref="LiveTables"/>);
    /// null when no database was read, so whether such a table is new is not known.
    /// </summary>
    public IReadOnlySet<string>? ExistingTables { get; private set; }

    /// <summary>Applied already (the journal lists it): what its IF NOT EXISTS found when it ran is history, not a question.</summary>
    public bool IsApplied { get; private set; }

    /// <summary>This file, told which of the tables it creates IF NOT EXISTS the database has (normalized names).</summary>
    public SqlScriptFile Knowing(IReadOnlySet<string> existingTables)
    {
        ExistingTables = existingTables;
        return this;
    }

    public SqlScriptFile Applied()
    {
        IsApplied = true;
        return this;
    }

    public static SqlScriptFile Parse(string name, string text) => new(name, text.ReplaceLineEndings("\n"), null);

    public static SqlScriptFile Load(string path) => Load(path, System.IO.Path.GetFileName(path));

    public static SqlScriptFile Load(string path, string name) => new(name, Catalog.ScriptText.ReadFile(path, name).ReplaceLineEndings("\n"), path);

    /// <summary>1-based line of a 0-based offset.</summary>
    public int LineAt(int offset)
    {
        var index = Array.BinarySearch(lineStarts, offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    /// <summary>1-based column of a 0-based offset.</summary>
    public int ColumnAt(int offset) => offset - lineStarts[LineAt(offset) - 1] + 1;

    /// <summary>A finding of <paramref name="rule"/> at <paramref name="offset"/> in this file.</summary>
    public LintFinding Finding(ILintRule rule, int offset, string message) =>
        new(rule.Name, Name, LineAt(offset), ColumnAt(offset), rule.Severity, message, rule.Why, rule.Remedy);
}

/// <summary>A statement of a script; offsets inside it map back to the file's lines.</summary>
public sealed class LintStatement(SqlScriptFile file, int start, int length)
{
    public SqlScriptFile File { get; } = file;

    public int Start { get; } = start;

    public int Length { get; } = length;

    public string Code => File.Code.Substring(Start, Length);

    public string Skeleton => File.Skeleton.Substring(Start, Length);

    public int Line => File.LineAt(Start);

    public int LineAt(int offsetInStatement) => File.LineAt(Start + offsetInStatement);
}
