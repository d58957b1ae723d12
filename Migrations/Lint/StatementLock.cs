using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint;

/// <summary>
/// The table lock a statement takes, read from its text: the lock-safety rules and <c>plan</c> use
/// it. Modes follow PostgreSQL's documentation of each command ("Explicit Locking", and the
/// "Notes" of ALTER TABLE / CREATE INDEX / CREATE TRIGGER). <see cref="CreatedEarlier"/> says whether
/// the table was created earlier in the same script, where a lock cannot block anyone.
/// </summary>
public sealed partial record StatementLock(LintStatement Statement, string Table, string Mode, int Offset, bool CreatedEarlier)
{
    public const string AccessExclusive = "ACCESS EXCLUSIVE";

    /// <summary>Every statement of <paramref name="script"/> that locks a named table, in order.</summary>
    public static IReadOnlyList<StatementLock> Of(SqlScriptFile script)
    {
        var created = DdlParser.CreateTables(script).ToList();
        var locks = new List<StatementLock>();
        foreach (var statement in script.Statements)
        {
            var skeleton = statement.Skeleton;
            if (Read(skeleton) is not { } found)
            {
                continue;
            }

            var table = SqlNames.Normalize(found.Table);
            var offset = statement.Start + found.Offset;
            locks.Add(new StatementLock(statement, table, found.Mode, offset,
                created.Any(t => t.Name == table && t.Offset < statement.Start)));
        }

        return locks;
    }

    private static (string Table, string Mode, int Offset)? Read(string skeleton)
    {
        if (AlterTable().Match(skeleton) is { Success: true } alter)
        {
            var rest = skeleton[(alter.Index + alter.Length)..];
            var mode = Regex.IsMatch(rest, @"^\s*VALIDATE\s+CONSTRAINT\b", RegexOptions.IgnoreCase) ? "SHARE UPDATE EXCLUSIVE"
                : Regex.IsMatch(rest, @"^\s*ADD\s+(?:CONSTRAINT\s+\S+\s+)?FOREIGN\s+KEY\b", RegexOptions.IgnoreCase)
                  || Regex.IsMatch(rest, @"^\s*(?:ENABLE|DISABLE)\s+(?:ALWAYS\s+|REPLICA\s+)?TRIGGER\b", RegexOptions.IgnoreCase) ? "SHARE ROW EXCLUSIVE"
                : AccessExclusive;
            return (alter.Groups["name"].Value, mode, alter.Groups["name"].Index);
        }

        if (CreateIndex().Match(skeleton) is { Success: true } index)
        {
            var mode = index.Groups["concurrently"].Success ? "SHARE UPDATE EXCLUSIVE" : "SHARE";
            return (index.Groups["name"].Value, mode, index.Groups["name"].Index);
        }

        if (CreateTrigger().Match(skeleton) is { Success: true } trigger)
        {
            return (trigger.Groups["name"].Value, "SHARE ROW EXCLUSIVE", trigger.Groups["name"].Index);
        }

        if (Policy().Match(skeleton) is { Success: true } policy)
        {
            return (policy.Groups["name"].Value, AccessExclusive, policy.Groups["name"].Index);
        }

        if (DropOrTruncate().Match(skeleton) is { Success: true } drop)
        {
            return (drop.Groups["name"].Value, AccessExclusive, drop.Groups["name"].Index);
        }

        if (Dml().Match(skeleton) is { Success: true } dml)
        {
            return (dml.Groups["name"].Value, "ROW EXCLUSIVE", dml.Groups["name"].Index);
        }

        return null;
    }

    private const string Identifier = """(?:"[^"]+"|[A-Za-z_][\w$]*)""";
    private const string QualifiedName = $@"(?<name>{Identifier}(?:\s*\.\s*{Identifier})?)";

    [GeneratedRegex($@"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex AlterTable();

    [GeneratedRegex($@"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?<concurrently>CONCURRENTLY\s+)?(?:(?:IF\s+NOT\s+EXISTS\s+)?{Identifier}\s+)?ON\s+(?:ONLY\s+)?{QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex CreateIndex();

    [GeneratedRegex($@"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\b.*?\bON\s+{QualifiedName}", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CreateTrigger();

    [GeneratedRegex($@"^(?:CREATE|ALTER|DROP)\s+POLICY\s+(?:IF\s+EXISTS\s+)?{Identifier}\s+ON\s+{QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex Policy();

    [GeneratedRegex($@"^(?:DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?|TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?){QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex DropOrTruncate();

    [GeneratedRegex($@"^(?:UPDATE\s+(?:ONLY\s+)?|DELETE\s+FROM\s+(?:ONLY\s+)?|INSERT\s+INTO\s+){QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex Dml();
}
