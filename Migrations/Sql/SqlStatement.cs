namespace WedSync.Migrations.Sql;

/// <summary>
/// One statement of a script as psql would send it: from its first token to its last, without the
/// terminating semicolon and without the comments around it.
/// </summary>
public sealed class SqlStatement(string source, int number, int line, IReadOnlyList<SqlToken> tokens)
{
    private IReadOnlyList<string>? words;

    /// <summary>The whole script the statement was cut from.</summary>
    public string Source { get; } = source;

    /// <summary>1-based position among the script's statements.</summary>
    public int Number { get; } = number;

    /// <summary>1-based line of the statement's first token.</summary>
    public int Line { get; } = line;

    /// <summary>The statement's tokens, comments and whitespace left out.</summary>
    public IReadOnlyList<SqlToken> Tokens { get; } = tokens;

    /// <summary>Offset of the first token in <see cref="Source"/>.</summary>
    public int Start => Tokens[0].Start;

    /// <summary>Offset just past the last token.</summary>
    public int End => Tokens[^1].End;

    public string Text => Source[Start..End];

    /// <summary>The unquoted words (identifiers and keywords) in order, lower-cased, for classifying the statement.</summary>
    public IReadOnlyList<string> Words => words ??= Tokens
        .Where(t => t.Kind == SqlTokenKind.Word)
        .Select(t => t.Text(Source).ToLowerInvariant())
        .ToList();

    /// <summary>True when the statement's words begin with <paramref name="prefix"/> (lower case).</summary>
    public bool StartsWith(params string[] prefix)
    {
        // Loops, not queries: the scanner asks this of every statement of every script on each run.
        if (Tokens.Count < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            var token = Tokens[i];
            if (token.Kind != SqlTokenKind.Word || !Source.AsSpan(token.Start, token.End - token.Start).Equals(prefix[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="sequence"/> occurs as consecutive words (lower case).</summary>
    public bool ContainsWords(params string[] sequence)
    {
        var all = Words;
        for (var i = 0; i + sequence.Length <= all.Count; i++)
        {
            var k = 0;
            while (k < sequence.Length && all[i + k] == sequence[k])
            {
                k++;
            }

            if (k == sequence.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The statement shortened to one line, for messages.</summary>
    public string Summary(int maxLength = 80)
    {
        var oneLine = string.Join(' ', Text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= maxLength ? oneLine : oneLine[..(maxLength - 1)] + "…";
    }

    /// <summary>The 1-based line of an offset in <see cref="Source"/>.</summary>
    public int LineOf(int offset) => 1 + Source.AsSpan(0, Math.Clamp(offset, 0, Source.Length)).Count('\n');

    public override string ToString() => Summary();
}
