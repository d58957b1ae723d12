using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// ALTER COLUMN ... TYPE rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE unless
/// the old type is binary-coercible to the new one (or a widened varchar, varbit or numeric precision).
/// The old type comes from the catalog's earlier scripts (<see cref="ColumnTypes"/>); when none declares
/// it, only a change to <c>text</c> or an unbounded <c>varchar</c> is known to be cheap.
/// </summary>
public sealed partial class TypeChangeRewriteRule : ILintRule
{
    public string Name => "lock-type-rewrite";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "A column type change that is not binary-coercible rewrites the table and its indexes under ACCESS EXCLUSIVE.";

    public string Remedy => "Add a new column of the new type, backfill it in batches, then switch readers and drop the old column.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        foreach (var l in StatementLock.Of(script, catalog).Where(l => !l.CreatedEarlier && l.IsOwn))
        {
            foreach (Match change in TypeChange().Matches(l.Statement.Skeleton))
            {
                var target = change.Groups["type"].Value;
                var column = SqlNames.Normalize(change.Groups["column"].Value);
                var old = ColumnTypes.Before(script, l.Statement.Start, catalog, l.Table, column);
                var inPlace = old is null ? Cheap().IsMatch(target) : ColumnTypes.InPlace(old, target);
                if (change.Groups["using"].Success || !inPlace)
                {
                    yield return script.Finding(this, l.Statement.Start + change.Index,
                        $"column {change.Groups["column"].Value} of existing table {l.Table} changes type to {target.Trim()}, {(old is null ? "" : $" from {old.Trim()}")}, which rewrites the table");
                }
            }
        }
    }

    [GeneratedRegex(@"\bALTER\s+(?:COLUMN\s+)?(?<column>""[^""]+""|\w+)\s+(?:SET\s+DATA\s+)?TYPE\s+(?<type>(?:\([^)]*\)|[^,(])*?)(?<using>\s+USING\b(?:\([^)]*\)|[^,(])*)?(?=,|$)", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex TypeChange();

    [GeneratedRegex(@"^\s*(?:text|varchar|character\s+varying)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Cheap();
}
