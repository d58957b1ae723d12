namespace WedSync.Migrations.Lint;

/// <summary>Small helpers over masked text (no literals or comments left to confuse them).</summary>
public static class SqlSyntax
{
    /// <summary>Index of the bracket closing the one at <paramref name="open"/>; text length when unbalanced.</summary>
    public static int MatchingParenthesis(string text, int open)
    {
        var (opening, closing) = text[open] == '[' ? ('[', ']') : ('(', ')');
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == opening)
            {
                depth++;
            }
            else if (text[i] == closing && --depth == 0)
            {
                return i;
            }
        }

        return text.Length;
    }
}
