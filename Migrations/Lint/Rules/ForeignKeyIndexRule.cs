namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// Every foreign-key column has an index that starts with it: a CREATE INDEX anywhere in the
/// catalog whose first column is that column, or the table's primary key or a unique constraint
/// starting with it. Without one, deleting a parent row scans the child table, under a lock.
/// This is SCHEMA.md's per-column rule read from the files; whether each whole foreign key is
/// served by an index is checked against the migrated database (catalog checks).
/// </summary>
public sealed class ForeignKeyIndexRule : ILintRule
{
    public string Name => "foreign-key-index";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "Deleting or updating a parent row scans the whole child table for references, holding its lock for the scan.";

    public string Remedy => "CREATE INDEX on the child table whose first column is the foreign-key column.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        var leading = new HashSet<(string Table, string Column)>();
        foreach (var file in catalog.Append(script))
        {
            leading.UnionWith(DdlParser.Indexes(file)
                .Where(index => index.LeadingColumn is not null)
                .Select(index => (index.Table, index.LeadingColumn!)));
            leading.UnionWith(DdlParser.CreateTables(file)
                .SelectMany(table => table.Keys.Where(key => key.Kind != KeyKind.ForeignKey).Select(key => (table.Name, key.Columns[0]))));
            leading.UnionWith(DdlParser.AddedKeys(file)
                .Where(x => x.Key.Kind != KeyKind.ForeignKey)
                .Select(x => (x.Table, x.Key.Columns[0])));
        }

        var foreignKeys = DdlParser.CreateTables(script)
            .SelectMany(table => table.Keys.Select(key => (Table: table.Name, Key: key)))
            .Concat(DdlParser.AddedKeys(script))
            .Where(x => x.Key.Kind == KeyKind.ForeignKey);
        foreach (var (table, key) in foreignKeys)
        {
            foreach (var column in key.Columns.Where(column => !leading.Contains((table, column))))
            {
                yield return script.Finding(this, key.Offset,
                    $"foreign-key column {table}.{column} has no index starting with it");
            }
        }
    }
}
