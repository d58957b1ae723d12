namespace WedSync.Migrations.Lint.Rules;

/// <summary>A table created by a script gets ENABLE ROW LEVEL SECURITY and at least one
/// CREATE POLICY in that same script, so no deployment ever holds it unprotected or unreachable.</summary>
public sealed class RowLevelSecurityRule : ILintRule
{
    public string Name => "row-level-security";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "A table created without RLS and a policy is readable across tenants (or unreachable) until a later script fixes it.";

    public string Remedy => "ALTER TABLE ... ENABLE ROW LEVEL SECURITY and CREATE POLICY ... ON the table in the same script.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        var secured = DdlParser.TablesWithRowLevelSecurity(script);
        var withPolicy = DdlParser.TablesWithPolicies(script);
        foreach (var table in DdlParser.CreateTables(script).Where(table => !table.IsTemporary))
        {
            if (!secured.Contains(table.Name))
            {
                yield return script.Finding(this, table.Offset, $"table {table.Name} has no ALTER TABLE ... ENABLE ROW LEVEL SECURITY in this script");
            }

            if (!withPolicy.Contains(table.Name))
            {
                yield return script.Finding(this, table.Offset, $"table {table.Name} has no CREATE POLICY ... ON {table.Name} in this script");
            }
        }
    }
}
