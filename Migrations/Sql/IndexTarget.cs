namespace WedSync.Migrations.Sql;

/// <summary>The index name and table of a <c>CREATE [UNIQUE] INDEX [CONCURRENTLY] IF NOT EXISTS name ON [ONLY] table</c>.</summary>
public sealed record IndexTarget(string IndexName, string Table)
{
    public static IndexTarget? Of(SqlStatement statement)
    {
        var tokens = statement.Tokens;
        var source = statement.Source;
        var exists = -1;
        for (var i = 0; i < tokens.Count && i < 8; i++)
        {
            if (tokens[i].Kind == SqlTokenKind.Word && string.Equals(tokens[i].Text(source), "exists", StringComparison.OrdinalIgnoreCase))
            {
                exists = i;
                break;
            }
        }

        var on = exists + 2;
        if (exists < 0 || on >= tokens.Count || !IsWord(statement, on, "on"))
        {
            return null;
        }

        var table = on + 1;
        if (IsWord(statement, table, "only"))
        {
            table++;
        }

        // The table: a name or a dotted, possibly quoted, qualified name.
        var end = table;
        while (end < tokens.Count && tokens[end].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            end++;
            if (end < tokens.Count && tokens[end].Kind == SqlTokenKind.Symbol && tokens[end].Text(source) == ".")
            {
                end++;
                continue;
            }

            break;
        }

        if (end <= table)
        {
            return null;
        }

        return new IndexTarget(Name(tokens[exists + 1].Kind, tokens[exists + 1].Text(source)), source[tokens[table].Start..tokens[end - 1].End]);
    }

    private static bool IsWord(SqlStatement statement, int index, string word) =>
        index < statement.Tokens.Count && statement.Tokens[index].Kind == SqlTokenKind.Word
        && string.Equals(statement.Tokens[index].Text(statement.Source), word, StringComparison.OrdinalIgnoreCase);

    // Unquoted names fold to lower case; quoted ones keep their case, with "" meaning ".
    private static string Name(SqlTokenKind kind, string text) => kind == SqlTokenKind.QuotedIdentifier
        ? text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal)
        : text.ToLowerInvariant();
}
