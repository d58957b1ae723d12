using System.Runtime.CompilerServices;

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

    // The keys each file contributes, parsed once per file: the rule runs for every script of a catalog
    // against the whole catalog, which re-parsed every file for every script (quadratic; most of the lint's time).
    private static readonly ConditionalWeakTable<SqlScriptFile, HashSet<(string Table, string Column)>> LeadingByFile = [];

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        var foreignKeys = DdlParser.CreateTables(script)
            .SelectMany(table => table.Keys.Select(key => (Table: table.Name, Key: key)))
            .Concat(DdlParser.AddedKeys(script))
            .Where(x => x.Key.Kind == KeyKind.ForeignKey)
            .ToList();
        if (foreignKeys.Count == 0)
        {
            yield break;
        }

        var leading = new HashSet<(string Table, string Column)>();
        foreach (var file in catalog.Append(script))
        {
            leading.UnionWith(LeadingByFile.GetValue(file, LeadingColumns));
        }

        foreach (var (table, key) in foreignKeys)
        {
            foreach (var column in key.Columns.Where(column => !leading.Contains((table, column))))
            {
                yield return script.Finding(this, key.Offset,
                    $"foreign-key column {table}.{column} has no index starting with it");
            }
        }
    }

    /// <summary>(table, first column) of every index, primary key and unique constraint a file creates.</summary>
    private static HashSet<(string Table, string Column)> LeadingColumns(SqlScriptFile file) =>
    [
        .. DdlParser.Indexes(file)
            .Where(index => index.LeadingColumn is not null)
            .Select(index => (index.Table, index.LeadingColumn!)),
        .. DdlParser.CreateTables(file)
            .SelectMany(table => table.Keys.Where(key => key.Kind != KeyKind.ForeignKey).Select(key => (table.Name, key.Columns[0]))),
        .. DdlParser.AddedKeys(file)
            .Where(x => x.Key.Kind != KeyKind.ForeignKey)
            .Select(x => (x.Table, x.Key.Columns[0])),
    ];
}
