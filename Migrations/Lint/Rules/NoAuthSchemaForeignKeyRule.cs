using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>Users are identity-provider subjects held in nullable uuid columns: the identity store
/// is not in this database, so a foreign key to an auth schema would tie us to one provider.</summary>
public sealed partial class NoAuthSchemaForeignKeyRule : ILintRule
{
    public string Name => "no-auth-foreign-key";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "The identity store is not in this database; a foreign key to auth.* ties the schema to one provider and fails where that schema is absent.";

    public string Remedy => "Keep user ids as plain nullable uuid columns (lint --fix drops the REFERENCES clause).";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        Pattern().Matches(script.Skeleton).Select(match => script.Finding(this, match.Index,
            "a foreign key references the auth schema; keep user ids as plain nullable uuid columns"));

    [GeneratedRegex(@"\bREFERENCES\s+""?auth""?\s*\.", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
