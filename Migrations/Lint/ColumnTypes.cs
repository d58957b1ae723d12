using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint;

/// <summary>
/// A column's declared type as the catalog's earlier scripts leave it (CREATE TABLE, ADD COLUMN, ALTER ... TYPE),
/// and PostgreSQL's rule for which type changes need no rewrite (binary-coercible or a widened length/precision).
/// </summary>
public static partial class ColumnTypes
{
    private const string Identifier = """(?:"[^"]+"|[A-Za-z_][\w$]*)""";
    private const string Type = @"(?<type>[A-Za-z_][\w ]*?(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s*\[\s*\])?)(?=\s*(?:,|\)|;|$|NOT\b|NULL\b|DEFAULT\b|PRIMARY\b|REFERENCES\b|UNIQUE\b|CHECK\b|CONSTRAINT\b|GENERATED\b|COLLATE\b|USING\b))";

    /// <summary>The column's type before <paramref name="offset"/> of <paramref name="script"/>, or null when no script says.</summary>
    public static string? Before(SqlScriptFile script, int offset, IReadOnlyList<SqlScriptFile> catalog, string table, string column)
    {
        string? type = null;
        var earlier = catalog.Where(f => f != script && string.CompareOrdinal(Path.GetFileName(f.Name), Path.GetFileName(script.Name)) < 0)
            .OrderBy(f => Path.GetFileName(f.Name), StringComparer.Ordinal);
        foreach (var file in earlier.Append(script))
        {
            foreach (var statement in file.Statements.Where(s => file != script || s.Start < offset))
            {
                type = Declared(statement.Skeleton, table, column) ?? type;
            }
        }

        return type;
    }

    private static string? Declared(string skeleton, string table, string column)
    {
        if (CreateTable().Match(skeleton) is { Success: true } create && SqlNames.Normalize(create.Groups["name"].Value) == table)
        {
            foreach (Match element in ColumnElement().Matches(skeleton, create.Index + create.Length))
            {
                if (SqlNames.Normalize(element.Groups["column"].Value) == column)
                {
                    return element.Groups["type"].Value;
                }
            }

            return null;
        }

        if (AlterTable().Match(skeleton) is not { Success: true } alter || SqlNames.Normalize(alter.Groups["name"].Value) != table)
        {
            return null;
        }

        string? type = null;
        foreach (Match change in ColumnChange().Matches(skeleton, alter.Index + alter.Length))
        {
            if (SqlNames.Normalize(change.Groups["column"].Value) == column)
            {
                type = change.Groups["type"].Value;
            }
        }

        return type;
    }

    /// <summary>Whether PostgreSQL changes <paramref name="from"/> to <paramref name="to"/> without rewriting (no USING).</summary>
    public static bool InPlace(string from, string to)
    {
        var (oldBase, oldArgs) = Canonical(from);
        var (newBase, newArgs) = Canonical(to);
        if (oldBase == newBase && oldArgs.SequenceEqual(newArgs))
        {
            return true;
        }

        return (oldBase, newBase) switch
        {
            ("varchar" or "text", "text") => true,
            ("varchar", "varchar") => newArgs.Length == 0 || (oldArgs.Length == 1 && newArgs[0] >= oldArgs[0]),
            ("varbit", "varbit") => newArgs.Length == 0 || (oldArgs.Length == 1 && newArgs[0] >= oldArgs[0]),
            // Same scale, no fewer digits (or no limit at all): every stored value fits unchanged.
            ("numeric", "numeric") => newArgs.Length == 0 ||
                (oldArgs.Length >= 1 && newArgs[0] >= oldArgs[0] && (oldArgs.Length > 1 ? oldArgs[1] : 0) == (newArgs.Length > 1 ? newArgs[1] : 0)),
            _ => false,
        };
    }

    private static (string Base, int[] Args) Canonical(string type)
    {
        var match = TypeParts().Match(type.Trim());
        var name = Regex.Replace(match.Groups["base"].Value.Trim().ToLowerInvariant(), @"\s+", " ");
        var args = match.Groups["args"].Success ? match.Groups["args"].Value.Split(',').Select(a => int.Parse(a.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [];
        name = name switch
        {
            "character varying" => "varchar",
            "decimal" => "numeric",
            "bit varying" => "varbit",
            _ => name,
        };
        return (name + (match.Groups["array"].Success ? "[]" : ""), args);
    }

    [GeneratedRegex($@"^\s*CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<name>{Identifier}(?:\s*\.\s*{Identifier})?)\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    [GeneratedRegex($@"(?:\(|,)\s*(?<column>{Identifier})\s+{Type}", RegexOptions.IgnoreCase)]
    private static partial Regex ColumnElement();

    [GeneratedRegex($@"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?<name>{Identifier}(?:\s*\.\s*{Identifier})?)", RegexOptions.IgnoreCase)]
    private static partial Regex AlterTable();

    [GeneratedRegex($@"\b(?:ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?<column>{Identifier})\s+|ALTER\s+(?:COLUMN\s+)?(?<column>{Identifier})\s+(?:SET\s+DATA\s+)?TYPE\s+){Type}", RegexOptions.IgnoreCase)]
    private static partial Regex ColumnChange();

    [GeneratedRegex(@"^(?<base>[A-Za-z_][\w ]*?)\s*(?:\(\s*(?<args>\d+(?:\s*,\s*\d+)?)\s*\))?\s*(?<array>\[\s*\])?$")]
    private static partial Regex TypeParts();
}
