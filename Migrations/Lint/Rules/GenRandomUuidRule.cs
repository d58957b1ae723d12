using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>Ids come from gen_random_uuid() (core PostgreSQL 13+); uuid_generate_v4() needs the
/// uuid-ossp extension, which managed servers may not offer.</summary>
public sealed partial class GenRandomUuidRule : ILintRule
{
    public string Name => "gen-random-uuid";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "uuid_generate_v4() needs the uuid-ossp extension, which managed servers may not offer; gen_random_uuid() is core since PostgreSQL 13.";

    public string Remedy => "Use gen_random_uuid() (lint --fix rewrites it).";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        Pattern().Matches(script.Skeleton).Select(match => script.Finding(this, match.Index, "uuid_generate_v4() is used; use gen_random_uuid()"));

    [GeneratedRegex(@"\buuid_generate_v4\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
