namespace WedSync.Tests.Schema.Lint;

/// <summary>
/// One migration script as the lint sees it: its text with comments masked (<see cref="Code"/>),
/// with string contents masked as well (<see cref="Skeleton"/>), its statements, and the line of
/// any offset, so every finding can name the file and line a reviewer has to open.
/// </summary>
public sealed class SqlScriptFile
{
    private readonly int[] lineStarts;

    private SqlScriptFile(string name, string text)
    {
        Name = name;
        Text = text;
        Code = SqlLexer.MaskComments(text);
        Skeleton = SqlLexer.MaskCommentsAndStrings(text);
        lineStarts = [0, .. text.Select((c, i) => (c, i)).Where(x => x.c == '\n').Select(x => x.i + 1)];
        Statements = SqlLexer.SplitStatements(text).Select(s => new SqlStatement(this, s.Start, s.Length)).ToList();
    }

    public string Name { get; }

    public string Text { get; }

    public string Code { get; }

    public string Skeleton { get; }

    public IReadOnlyList<SqlStatement> Statements { get; }

    public static SqlScriptFile Parse(string name, string text) => new(name, text.ReplaceLineEndings("\n"));

    public static SqlScriptFile Load(string path) => Parse(Path.GetFileName(path), File.ReadAllText(path));

    /// <summary>1-based line of a 0-based offset.</summary>
    public int LineAt(int offset)
    {
        var index = Array.BinarySearch(lineStarts, offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }
}

/// <summary>A statement of a script; offsets inside it map back to the file's lines.</summary>
public sealed class SqlStatement(SqlScriptFile file, int start, int length)
{
    public SqlScriptFile File { get; } = file;

    public int Start { get; } = start;

    public string Code => File.Code.Substring(Start, length);

    public string Skeleton => File.Skeleton.Substring(Start, length);

    public int Line => File.LineAt(Start);

    public int LineAt(int offsetInStatement) => File.LineAt(Start + offsetInStatement);
}
