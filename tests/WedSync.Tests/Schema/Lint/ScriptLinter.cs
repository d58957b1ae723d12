using WedSync.Tests.Schema.Lint.Rules;

namespace WedSync.Tests.Schema.Lint;

/// <summary>Runs a set of rules over a script; <see cref="SchemaRules"/> is SCHEMA.md's set.</summary>
public sealed class ScriptLinter(IReadOnlyList<ILintRule> rules)
{
    public static ScriptLinter SchemaRules { get; } = new(
    [
        new GenRandomUuidRule(),
        new NoAuthSchemaForeignKeyRule(),
        new PrimaryKeyRule(),
        new RowLevelSecurityRule(),
        new EnumArrayCastRule(),
        new ForeignKeyIndexRule(),
        new WrappedHelperCallRule(),
        new NoConcurrentIndexRule(),
    ]);

    public IReadOnlyList<ILintRule> Rules { get; } = rules;

    public IReadOnlyList<LintFinding> Lint(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        Rules.SelectMany(rule => rule.Check(script, catalog))
            .OrderBy(finding => finding.Line)
            .ThenBy(finding => finding.Rule, StringComparer.Ordinal)
            .ToList();
}
