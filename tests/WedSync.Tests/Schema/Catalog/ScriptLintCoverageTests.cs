using WedSync.Migrations.Lint;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Schema.Lint;

namespace WedSync.Tests.Schema.Catalog;

/// <summary>
/// The script lint reads SQL with patterns, so a shape it doesn't recognize would pass unseen.
/// Here its reading is compared with what the migrator really built: every table, every
/// foreign-key column and every RLS switch of the database must have been found in the files.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ScriptLintCoverageTests(AppHostFixture fixture)
{
    [Fact]
    public void Script_lint_finds_every_table_of_the_migrated_database()
    {
        var inFiles = MigrationScriptFiles.All.SelectMany(DdlParser.CreateTables).Where(t => !t.IsTemporary).Select(t => t.Name);

        AssertSameSet(Query($"""
            SELECT {QualifiedName} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {CatalogSchemas} AND c.relkind IN ('r', 'p')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e')
            """), inFiles, "tables");
    }

    [Fact]
    public void Script_lint_finds_every_foreign_key_column_of_the_migrated_database()
    {
        var inFiles = MigrationScriptFiles.All.SelectMany(script =>
            DdlParser.CreateTables(script).SelectMany(t => t.Keys.Select(key => (Table: t.Name, Key: key))).Concat(DdlParser.AddedKeys(script)))
            .Where(x => x.Key.Kind == KeyKind.ForeignKey)
            .SelectMany(x => x.Key.Columns.Select(column => $"{x.Table}.{column}"));

        AssertSameSet(Query("""
            SELECT DISTINCT c.conrelid::regclass::text || '.' || a.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype = 'f' AND n.nspname = 'public'
            """), inFiles, "foreign-key columns");
    }

    [Fact]
    public void Script_lint_finds_every_row_level_security_switch_of_the_migrated_database()
    {
        var inFiles = MigrationScriptFiles.All.SelectMany(DdlParser.TablesWithRowLevelSecurity);

        AssertSameSet(Query($"""
            SELECT {QualifiedName} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {CatalogSchemas} AND c.relkind IN ('r', 'p') AND c.relrowsecurity
            """), inFiles, "tables with row-level security");
    }

    /// <summary>
    /// The schemas whose tables the scripts create (monitoring_history since issue 17, app since issue 28); partitions that a
    /// function creates at run time are not in any script.
    /// </summary>
    private const string CatalogSchemas = "n.nspname IN ('public', 'app', 'monitoring_history') AND NOT c.relispartition";

    /// <summary>A table as the lint names it: bare in public, schema-qualified elsewhere.</summary>
    private const string QualifiedName = "CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END";

    private List<string> Query(string sql) => fixture.QueryStrings(sql);

    private static void AssertSameSet(IEnumerable<string> inDatabase, IEnumerable<string> inFiles, string what)
    {
        var database = inDatabase.ToHashSet();
        var files = inFiles.ToHashSet();
        var unseen = database.Except(files).Order(StringComparer.Ordinal).ToList();
        var phantom = files.Except(database).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(database);
        Assert.True(unseen.Count == 0 && phantom.Count == 0,
            $"The lint's reading of the scripts differs from the database in {what}.\n" +
            $"  in the database, not found by the lint: {string.Join(", ", unseen)}\n" +
            $"  found by the lint, not in the database: {string.Join(", ", phantom)}");
    }
}
