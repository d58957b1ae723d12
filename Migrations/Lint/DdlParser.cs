using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint;

public enum KeyKind
{
    PrimaryKey,
    Unique,
    ForeignKey,
}

/// <summary>A key of a table; <see cref="Offset"/> is where it is declared in the file.</summary>
public sealed record KeyConstraint(KeyKind Kind, IReadOnlyList<string> Columns, int Offset);

/// <summary>A CREATE TABLE with the keys declared in it. A partition inherits its keys from its parent.</summary>
public sealed record TableDefinition(string Name, int Offset, bool IsTemporary, bool IsPartition, IReadOnlyList<KeyConstraint> Keys)
{
    /// <summary>CREATE TABLE IF NOT EXISTS: when the table exists already, the statement creates nothing.</summary>
    public bool IfNotExists { get; init; }

    /// <summary>The name as the script writes it (quotes and schema kept), for the server to resolve.</summary>
    public string Written { get; init; } = Name;
}

/// <summary>A CREATE INDEX; <see cref="LeadingColumn"/> is null when the index starts with an expression.</summary>
public sealed record IndexDefinition(string Table, string? LeadingColumn, int Offset);

/// <summary>
/// Reads the DDL the rules care about from a script's <see cref="SqlScriptFile.Skeleton"/>
/// (comments and string contents masked). It is a pattern reader, not a SQL parser: it knows the
/// shapes our scripts use (and PostgreSQL's documented variants of them), which is enough for a
/// lint whose every finding a human reads.
/// </summary>
public static partial class DdlParser
{
    private const string Identifier = """(?:"[^"]+"|[A-Za-z_][\w$]*)""";
    private const string QualifiedName = $@"({Identifier}(?:\s*\.\s*{Identifier})?)";

    public static IEnumerable<TableDefinition> CreateTables(SqlScriptFile script)
    {
        foreach (var statement in script.Statements)
        {
            var match = CreateTablePattern().Match(statement.Skeleton);
            if (!match.Success)
            {
                continue;
            }

            var name = SqlNames.Normalize(match.Groups["name"].Value);
            var offset = statement.Start + match.Groups["name"].Index;
            var temporary = match.Groups["temp"].Success;
            var ifNotExists = match.Groups["ine"].Success;
            var written = match.Groups["name"].Value;
            var open = match.Index + match.Length;
            var rest = match.Groups["rest"].Value;
            if (rest != "(")
            {
                var partition = rest.StartsWith("PARTITION", StringComparison.OrdinalIgnoreCase);
                yield return new TableDefinition(name, offset, temporary, partition, []) { IfNotExists = ifNotExists, Written = written };
                continue;
            }

            var keys = new List<KeyConstraint>();
            foreach (var (element, elementOffset) in SplitTopLevel(statement.Skeleton, open, SqlSyntax.MatchingParenthesis(statement.Skeleton, open - 1)))
            {
                keys.AddRange(ElementKeys(element, statement.Start + elementOffset));
            }

            yield return new TableDefinition(name, offset, temporary, IsPartition: false, keys) { IfNotExists = ifNotExists, Written = written };
        }
    }

    /// <summary>Keys added later with ALTER TABLE ... ADD [CONSTRAINT name] PRIMARY KEY | UNIQUE | FOREIGN KEY.</summary>
    public static IEnumerable<(string Table, KeyConstraint Key)> AddedKeys(SqlScriptFile script)
    {
        foreach (var statement in script.Statements)
        {
            var match = AlterTablePattern().Match(statement.Skeleton);
            if (!match.Success)
            {
                continue;
            }

            var table = SqlNames.Normalize(match.Groups["name"].Value);
            foreach (Match add in AddConstraintPattern().Matches(statement.Skeleton))
            {
                var body = statement.Skeleton[(add.Index + add.Length)..];
                foreach (var key in TableConstraintKeys(body, statement.Start + add.Index + add.Length))
                {
                    yield return (table, key);
                }
            }
        }
    }

    public static IEnumerable<IndexDefinition> Indexes(SqlScriptFile script)
    {
        foreach (var statement in script.Statements)
        {
            var match = CreateIndexPattern().Match(statement.Skeleton);
            if (!match.Success)
            {
                continue;
            }

            var open = match.Index + match.Length - 1;
            var close = SqlSyntax.MatchingParenthesis(statement.Skeleton, open);
            var first = SplitTopLevel(statement.Skeleton, open + 1, close).FirstOrDefault().Text ?? "";
            var column = LeadingColumnPattern().Match(first.Trim());
            yield return new IndexDefinition(
                SqlNames.Normalize(match.Groups["name"].Value),
                column.Success ? SqlNames.Normalize(column.Groups[1].Value) : null,
                statement.Start + match.Index);
        }
    }

    public static IReadOnlySet<string> TablesWithRowLevelSecurity(SqlScriptFile script) =>
        EnableRlsPattern().Matches(script.Skeleton).Select(m => SqlNames.Normalize(m.Groups["name"].Value)).ToHashSet();

    public static IReadOnlySet<string> TablesWithPolicies(SqlScriptFile script) =>
        CreatePolicyPattern().Matches(script.Skeleton).Select(m => SqlNames.Normalize(m.Groups["name"].Value)).ToHashSet();

    private static IEnumerable<KeyConstraint> ElementKeys(string element, int offset)
    {
        var trimmed = element.TrimStart();
        offset += element.Length - trimmed.Length;
        var constraint = NamedConstraintPattern().Match(trimmed);
        if (constraint.Success)
        {
            return TableConstraintKeys(trimmed[constraint.Length..], offset + constraint.Length);
        }

        if (TableConstraintStartPattern().IsMatch(trimmed))
        {
            return TableConstraintKeys(trimmed, offset);
        }

        var column = ColumnNamePattern().Match(trimmed);
        if (!column.Success)
        {
            return [];
        }

        string[] columns = [SqlNames.Normalize(column.Groups[1].Value)];
        var keys = new List<KeyConstraint>();
        var definition = trimmed[column.Length..];
        if (Regex.Match(definition, @"\bPRIMARY\s+KEY\b", RegexOptions.IgnoreCase) is { Success: true } pk)
        {
            keys.Add(new KeyConstraint(KeyKind.PrimaryKey, columns, offset + column.Length + pk.Index));
        }

        if (Regex.Match(definition, @"\bUNIQUE\b", RegexOptions.IgnoreCase) is { Success: true } unique)
        {
            keys.Add(new KeyConstraint(KeyKind.Unique, columns, offset + column.Length + unique.Index));
        }

        if (Regex.Match(definition, @"\bREFERENCES\b", RegexOptions.IgnoreCase) is { Success: true } references)
        {
            keys.Add(new KeyConstraint(KeyKind.ForeignKey, columns, offset + column.Length + references.Index));
        }

        return keys;
    }

    private static IEnumerable<KeyConstraint> TableConstraintKeys(string text, int offset)
    {
        var match = TableKeyPattern().Match(text);
        if (!match.Success)
        {
            yield break;
        }

        var kind = match.Groups["kind"].Value.ToUpperInvariant() switch
        {
            var k when k.StartsWith("PRIMARY", StringComparison.Ordinal) => KeyKind.PrimaryKey,
            var k when k.StartsWith("UNIQUE", StringComparison.Ordinal) => KeyKind.Unique,
            _ => KeyKind.ForeignKey,
        };
        var columns = match.Groups["columns"].Value.Split(',').Select(SqlNames.Normalize).ToList();
        yield return new KeyConstraint(kind, columns, offset + match.Index);
    }

    /// <summary>Comma-separated parts of text[start..end), ignoring commas inside parentheses.</summary>
    private static IEnumerable<(string Text, int Offset)> SplitTopLevel(string text, int start, int end)
    {
        var depth = 0;
        var partStart = start;
        for (var i = start; i < end; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return (text[partStart..i], partStart);
                    partStart = i + 1;
                    break;
            }
        }

        if (partStart < end)
        {
            yield return (text[partStart..end], partStart);
        }
    }

    [GeneratedRegex($@"^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?<temp>TEMP|TEMPORARY)\s+|UNLOGGED\s+)?TABLE\s+(?<ine>IF\s+NOT\s+EXISTS\s+)?(?<name>{QualifiedName})\s*(?<rest>\(|AS\b|PARTITION\s+OF\b|OF\b)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTablePattern();

    [GeneratedRegex($@"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?<name>{QualifiedName})", RegexOptions.IgnoreCase)]
    private static partial Regex AlterTablePattern();

    [GeneratedRegex($@"\bADD\s+(?:CONSTRAINT\s+{Identifier}\s+)?(?=PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY)", RegexOptions.IgnoreCase)]
    private static partial Regex AddConstraintPattern();

    [GeneratedRegex($@"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:(?:IF\s+NOT\s+EXISTS\s+)?{Identifier}\s+)?ON\s+(?:ONLY\s+)?(?<name>{QualifiedName})\s*(?:USING\s+\w+\s*)?\(", RegexOptions.IgnoreCase)]
    private static partial Regex CreateIndexPattern();

    [GeneratedRegex($@"^({Identifier})\s*(?:$|ASC\b|DESC\b|NULLS\b|COLLATE\b|\w+_ops\b)", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingColumnPattern();

    [GeneratedRegex($@"\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?<name>{QualifiedName})\s+ENABLE\s+ROW\s+LEVEL\s+SECURITY\b", RegexOptions.IgnoreCase)]
    private static partial Regex EnableRlsPattern();

    [GeneratedRegex($@"\bCREATE\s+POLICY\s+{Identifier}\s+ON\s+(?<name>{QualifiedName})", RegexOptions.IgnoreCase)]
    private static partial Regex CreatePolicyPattern();

    [GeneratedRegex($@"^CONSTRAINT\s+{Identifier}\s+", RegexOptions.IgnoreCase)]
    private static partial Regex NamedConstraintPattern();

    [GeneratedRegex(@"^(?:PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|CHECK|EXCLUDE|LIKE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TableConstraintStartPattern();

    [GeneratedRegex(@"^(?<kind>PRIMARY\s+KEY|UNIQUE(?:\s+NULLS\s+(?:NOT\s+)?DISTINCT)?|FOREIGN\s+KEY)\s*\((?<columns>[^)]*)\)", RegexOptions.IgnoreCase)]
    private static partial Regex TableKeyPattern();

    [GeneratedRegex($@"^({Identifier})\s+")]
    private static partial Regex ColumnNamePattern();
}
