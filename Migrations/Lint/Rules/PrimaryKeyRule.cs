namespace WedSync.Migrations.Lint.Rules;

/// <summary>Every table has a primary key, declared in its CREATE TABLE or added by an
/// ALTER TABLE ... ADD PRIMARY KEY of the same script. Temporary tables are exempt, and partitions
/// inherit their parent's key.</summary>
public sealed class PrimaryKeyRule : ILintRule
{
    public string Name => "primary-key";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "Without a primary key rows cannot be addressed one by one, logical replication cannot update or delete them, and duplicates creep in.";

    public string Remedy => "Declare a PRIMARY KEY in the CREATE TABLE or add one in the same script.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        var added = DdlParser.AddedKeys(script)
            .Where(x => x.Key.Kind == KeyKind.PrimaryKey)
            .Select(x => x.Table)
            .ToHashSet();
        return DdlParser.CreateTables(script)
            .Where(table => !table.IsTemporary && !table.IsPartition)
            .Where(table => !table.Keys.Any(key => key.Kind == KeyKind.PrimaryKey) && !added.Contains(table.Name))
            .Select(table => script.Finding(this, table.Offset, $"table {table.Name} has no primary key"));
    }
}
