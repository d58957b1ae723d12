using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// ALTER TABLE ... ADD a FOREIGN KEY or CHECK constraint on an existing table checks every row while
/// holding its lock (ACCESS EXCLUSIVE for CHECK; SHARE ROW EXCLUSIVE on both tables for a foreign
/// key). With NOT VALID the constraint applies to new rows at once and VALIDATE CONSTRAINT checks the
/// old ones later under a lock that lets writes through.
/// </summary>
public sealed partial class ConstraintNotValidRule : ILintRule
{
    public string Name => "lock-constraint-not-valid";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "Adding a FOREIGN KEY or CHECK constraint scans the whole existing table while holding a lock that blocks writes.";

    public string Remedy => "ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ... in a later statement or script.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        var locks = StatementLock.Of(script, catalog);
        foreach (var l in locks.Where(l => !l.CreatedEarlier && l.IsOwn))
        {
            var skeleton = l.Statement.Skeleton;
            if (!skeleton.StartsWith("ALTER", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (Match add in AddConstraint().Matches(skeleton))
            {
                var end = NextAction().Match(skeleton, add.Index + add.Length);
                var clause = skeleton[add.Index..(end.Success ? end.Index : skeleton.Length)];
                if (!NotValid().IsMatch(clause))
                {
                    // A foreign key scans this table while holding SHARE ROW EXCLUSIVE on the table it references too.
                    var referenced = locks.Where(r => r.Statement == l.Statement && r.ReferencedFrom is not null && clause.Contains(r.Table, StringComparison.OrdinalIgnoreCase))
                        .Select(r => $" and {r.Mode} on the referenced {(r.CreatedEarlier ? "new" : "existing")} table {r.Table}").FirstOrDefault() ?? "";
                    var kind = Regex.Replace(add.Groups["kind"].Value.ToUpperInvariant(), @"\s+", " ");
                    yield return script.Finding(this, l.Statement.Start + add.Index,
                        $"{kind} constraint added to existing table {l.Table} without NOT VALID: every row is checked while {l.Mode} is held on {l.Table}{referenced}");
                }
            }
        }
    }

    [GeneratedRegex(@"\bADD\s+(?:CONSTRAINT\s+(?:""[^""]+""|\w+)\s+)?(?<kind>FOREIGN\s+KEY|CHECK)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AddConstraint();

    // The next top-level action of a multi-action ALTER TABLE.
    [GeneratedRegex(@",\s*(?:ADD|DROP|ALTER|VALIDATE|ENABLE|DISABLE|RENAME|SET|OWNER)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NextAction();

    [GeneratedRegex(@"\bNOT\s+VALID\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotValid();
}
