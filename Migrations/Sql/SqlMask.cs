namespace WedSync.Migrations.Sql;

/// <summary>
/// A script's text masked for the lint's regular expressions, by the runner's own scanner (psql's rules,
/// standard_conforming_strings included): comments blanked, and string contents too when asked. Each
/// character keeps its offset (masked ones become spaces, line breaks stay), so an offset found in the
/// masked text is the offset, and the line, in the file. Dollar-quoted bodies are SQL or PL/pgSQL: they
/// are masked like the code around them.
/// </summary>
public static class SqlMask
{
    /// <summary>The text with comments blanked out; string literals and function bodies stay.</summary>
    public static string Comments(string sql) => Mask(sql, SqlScanner.Scan(sql), strings: false);

    /// <summary>The text with comments and the contents of string literals blanked out (quotes stay).</summary>
    public static string CommentsAndStrings(string sql) => Mask(sql, SqlScanner.Scan(sql), strings: true);

    /// <summary>Both masks of a script the caller has scanned already (the lint reads a script once).</summary>
    public static (string Code, string Skeleton) Both(string sql, ScannedScript scanned) =>
        (Mask(sql, scanned, strings: false), Mask(sql, scanned, strings: true));

    private static string Mask(string sql, ScannedScript scanned, bool strings)
    {
        var output = sql.ToCharArray();
        foreach (var comment in scanned.Comments)
        {
            Blank(output, comment.Start, comment.End);
        }

        foreach (var token in scanned.Statements.SelectMany(s => s.Tokens))
        {
            if (token.Kind == SqlTokenKind.String && strings)
            {
                // From after the opening quote (past any E, B, X, N or U& prefix) to before the closing one.
                var open = sql.IndexOf('\'', token.Start, token.Length);
                var close = token.End - 1 > open && sql[token.End - 1] == '\'' ? token.End - 1 : token.End;
                Blank(output, open + 1, close);
            }
            else if (token.Kind == SqlTokenKind.DollarString)
            {
                var tagLength = sql.IndexOf('$', token.Start + 1) - token.Start + 1;
                var tag = sql.AsSpan(token.Start, tagLength);
                var closed = token.Length >= 2 * tagLength && sql.AsSpan(token.End - tagLength, tagLength).SequenceEqual(tag);
                var bodyStart = token.Start + tagLength;
                var bodyEnd = closed ? token.End - tagLength : token.End;
                Mask(sql[bodyStart..bodyEnd], SqlScanner.Scan(sql[bodyStart..bodyEnd]), strings).CopyTo(0, output, bodyStart, bodyEnd - bodyStart);
            }
        }

        return new string(output);
    }

    private static void Blank(char[] output, int from, int to)
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
