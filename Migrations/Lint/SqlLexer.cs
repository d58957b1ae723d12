using System.Text;

namespace WedSync.Migrations.Lint;

/// <summary>
/// Just enough of PostgreSQL's lexical rules to lint scripts with regular expressions without
/// being fooled by comments, string literals or function bodies. Every transformation keeps each
/// character's offset (masked characters become spaces, line breaks stay), so an offset found in
/// a masked text is the offset, and the line, in the file.
/// </summary>
public static class SqlLexer
{
    /// <summary>The text with comments blanked out; string literals and function bodies stay.</summary>
    public static string MaskComments(string sql) => Mask(sql, maskStrings: false);

    /// <summary>The text with comments and the contents of string literals blanked out (quotes stay).
    /// Dollar-quoted bodies are SQL or PL/pgSQL, so they are masked like the code around them.</summary>
    public static string MaskCommentsAndStrings(string sql) => Mask(sql, maskStrings: true);

    /// <summary>Offsets (start, length) of the statements: split at semicolons outside literals,
    /// comments and dollar-quoted bodies; leading whitespace trimmed, empty statements skipped.</summary>
    public static IReadOnlyList<(int Start, int Length)> SplitStatements(string sql)
    {
        var masked = Mask(sql, maskStrings: true, forSplitting: true);
        var statements = new List<(int, int)>();
        var start = 0;
        for (var i = 0; i <= masked.Length; i++)
        {
            if (i < masked.Length && masked[i] != ';')
            {
                continue;
            }

            var first = start;
            while (first < i && char.IsWhiteSpace(masked[first]))
            {
                first++;
            }

            if (first < i)
            {
                statements.Add((first, i - first));
            }

            start = i + 1;
        }

        return statements;
    }

    private static string Mask(string sql, bool maskStrings, bool forSplitting = false)
    {
        var output = new StringBuilder(sql);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                Blank(output, i, end);
                i = end;
            }
            else if (c == '/' && next == '*')
            {
                var end = BlockCommentEnd(sql, i);
                Blank(output, i, end);
                i = end;
            }
            else if (c == '\'')
            {
                var escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !IsIdentifierChar(sql[i - 2]));
                var end = QuotedEnd(sql, i, '\'', escapes);
                if (maskStrings)
                {
                    Blank(output, i + 1, Math.Max(i + 1, end - 1));
                }

                i = end;
            }
            else if (c == '"')
            {
                var end = QuotedEnd(sql, i, '"', backslashEscapes: false);
                if (forSplitting)
                {
                    // Only for splitting: a quoted identifier may hold a semicolon.
                    Blank(output, i + 1, Math.Max(i + 1, end - 1));
                }

                i = end;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var bodyStart = i + tag.Length;
                var close = sql.IndexOf(tag, bodyStart, StringComparison.Ordinal);
                var bodyEnd = close < 0 ? sql.Length : close;
                var body = forSplitting
                    ? new string(' ', bodyEnd - bodyStart)
                    : Mask(sql[bodyStart..bodyEnd], maskStrings);
                for (var k = 0; k < body.Length; k++)
                {
                    output[bodyStart + k] = sql[bodyStart + k] is '\n' or '\r' ? sql[bodyStart + k] : body[k];
                }

                i = close < 0 ? sql.Length : close + tag.Length;
            }
            else
            {
                i++;
            }
        }

        return output.ToString();
    }

    private static int BlockCommentEnd(string sql, int start)
    {
        // PostgreSQL block comments nest.
        var depth = 0;
        var i = start;
        while (i < sql.Length - 1)
        {
            if (sql[i] == '/' && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }

    private static int QuotedEnd(string sql, int start, char quote, bool backslashEscapes)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
            }
            else if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }

    private static string? DollarTag(string sql, int start)
    {
        if (start > 0 && IsIdentifierChar(sql[start - 1]))
        {
            return null;
        }

        var i = start + 1;
        if (i < sql.Length && (char.IsLetter(sql[i]) || sql[i] == '_'))
        {
            while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_'))
            {
                i++;
            }
        }

        return i < sql.Length && sql[i] == '$' ? sql[start..(i + 1)] : null;
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$';

    private static void Blank(StringBuilder output, int from, int to)
    {
        for (var k = from; k < to; k++)
        {
            if (output[k] is not ('\n' or '\r'))
            {
                output[k] = ' ';
            }
        }
    }
}
