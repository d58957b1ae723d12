using System.Text.RegularExpressions;

namespace WedSync.Tests.Schema.Lint.Rules;

/// <summary>Ids come from gen_random_uuid() (core PostgreSQL 13+); uuid_generate_v4() needs the
/// uuid-ossp extension, which managed servers may not offer.</summary>
public sealed partial class GenRandomUuidRule : ILintRule
{
    public string Name => "gen-random-uuid";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        Pattern().Matches(script.Skeleton).Select(match => new LintFinding(
            Name, script.Name, script.LineAt(match.Index), "uuid_generate_v4() is used; use gen_random_uuid()"));

    [GeneratedRegex(@"\buuid_generate_v4\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
