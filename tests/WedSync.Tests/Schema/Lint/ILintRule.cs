namespace WedSync.Tests.Schema.Lint;

/// <summary>
/// One rule of SCHEMA.md, checked on one script. <paramref name="catalog"/> is every script of the
/// catalog, for the rules whose evidence may live in a later script (an index added afterwards).
/// </summary>
public interface ILintRule
{
    string Name { get; }

    IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog);
}
