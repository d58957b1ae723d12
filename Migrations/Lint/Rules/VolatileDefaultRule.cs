using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// Since PostgreSQL 11, ADD COLUMN with a non-volatile default (a constant, now()) only records the
/// value in the catalog. A volatile default (random(), gen_random_uuid(), clock_timestamp(),
/// nextval() — which serial types imply), an identity column or a stored generated column makes
/// PostgreSQL rewrite every row under ACCESS EXCLUSIVE.
/// </summary>
public sealed partial class VolatileDefaultRule : ILintRule
{
    public string Name => "lock-volatile-default";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "ADD COLUMN whose value must be computed per row rewrites the whole existing table under ACCESS EXCLUSIVE.";

    public string Remedy => "Add the column without the default (or with a constant), set the default in a second statement, and backfill in batches.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        foreach (var l in StatementLock.Of(script, catalog).Where(l => !l.CreatedEarlier && l.IsOwn))
        {
            var skeleton = l.Statement.Skeleton;
            if (!skeleton.StartsWith("ALTER", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (Match add in AddColumn().Matches(skeleton))
            {
                var end = NextAction().Match(skeleton, add.Index + add.Length);
                var clause = skeleton[add.Index..(end.Success ? end.Index : skeleton.Length)];
                if (Rewriting().Match(clause) is { Success: true } cause)
                {
                    yield return script.Finding(this, l.Statement.Start + add.Index,
                        $"ADD COLUMN on existing table {l.Table} rewrites it ({Regex.Replace(cause.Value, @"\s+", " ").Trim()})");
                }
            }
        }
    }

    [GeneratedRegex(@"\bADD\s+(?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|FOREIGN\b|CHECK\b|EXCLUDE\b)(?:COLUMN\s+)?", RegexOptions.IgnoreCase)]
    private static partial Regex AddColumn();

    [GeneratedRegex(@",\s*(?:ADD|DROP|ALTER|VALIDATE|ENABLE|DISABLE|RENAME|SET|OWNER)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NextAction();

    [GeneratedRegex(@"\b(?:random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday|statement_timestamp|nextval|txid_current|gen_random_bytes)\s*\(|\b(?:small|big)?serial[248]?\b|\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+(?:IDENTITY|\(.*\)\s*STORED)", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Rewriting();
}
