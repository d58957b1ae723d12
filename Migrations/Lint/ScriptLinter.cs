using WedSync.Migrations.Lint.Rules;

namespace WedSync.Migrations.Lint;

/// <summary>Runs a set of rules over a script: <see cref="SchemaRules"/> is SCHEMA.md's house set,
/// <see cref="LockRules"/> the lock-safety set, <see cref="AllRules"/> both (what <c>lint</c> runs).</summary>
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
        new MigratorRefusalRule(),
    ]);

    public static ScriptLinter LockRules { get; } = new(
    [
        new IndexNotConcurrentRule(),
        new ConstraintNotValidRule(),
        new VolatileDefaultRule(),
        new TypeChangeRewriteRule(),
        new LockTimeoutRule(),
        new IfNotExistsLockRule(),
    ]);

    public static ScriptLinter AllRules { get; } = new([.. SchemaRules.Rules, .. LockRules.Rules]);

    public IReadOnlyList<ILintRule> Rules { get; } = rules;

    /// <summary>The findings of <paramref name="script"/>, without those its own comments accept (<see cref="InlineAcceptance"/>).</summary>
    public IReadOnlyList<LintFinding> Lint(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        InlineAcceptance.WithoutAccepted(script, Rules.SelectMany(rule => rule.Check(script, catalog))
            .OrderBy(finding => finding.Line)
            .ThenBy(finding => finding.Column)
            .ThenBy(finding => finding.Rule, StringComparer.Ordinal)
            .ToList());
}
