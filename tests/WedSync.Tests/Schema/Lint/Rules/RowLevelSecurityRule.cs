namespace WedSync.Tests.Schema.Lint.Rules;

/// <summary>A table created by a script gets ENABLE ROW LEVEL SECURITY and at least one
/// CREATE POLICY in that same script, so no deployment ever holds it unprotected or unreachable.</summary>
public sealed class RowLevelSecurityRule : ILintRule
{
    public string Name => "row-level-security";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        var secured = DdlParser.TablesWithRowLevelSecurity(script);
        var withPolicy = DdlParser.TablesWithPolicies(script);
        foreach (var table in DdlParser.CreateTables(script).Where(table => !table.IsTemporary))
        {
            var line = script.LineAt(table.Offset);
            if (!secured.Contains(table.Name))
            {
                yield return new LintFinding(Name, script.Name, line, $"table {table.Name} has no ALTER TABLE ... ENABLE ROW LEVEL SECURITY in this script");
            }

            if (!withPolicy.Contains(table.Name))
            {
                yield return new LintFinding(Name, script.Name, line, $"table {table.Name} has no CREATE POLICY ... ON {table.Name} in this script");
            }
        }
    }
}
