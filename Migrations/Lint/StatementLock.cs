using System.Text.RegularExpressions;

namespace WedSync.Migrations.Lint;

/// <summary>
/// The table lock a statement takes, read from its text: the lock-safety rules and <c>plan</c> use
/// it. Modes follow PostgreSQL's documentation of each command ("Explicit Locking", and the
/// "Notes" of ALTER TABLE / CREATE INDEX / CREATE TRIGGER). <see cref="CreatedEarlier"/> says whether
/// the table was created earlier in the same script, where a lock cannot block anyone: a CREATE TABLE
/// IF NOT EXISTS creates it only when it does not exist yet (<see cref="CreatesNew"/>). A foreign key
/// (CREATE TABLE ... REFERENCES, ALTER TABLE ... ADD ... REFERENCES) also takes SHARE ROW EXCLUSIVE on the
/// table it references (<see cref="ReferencedFrom"/>): PostgreSQL adds its triggers there.
/// </summary>
public sealed partial record StatementLock(LintStatement Statement, string Table, string Mode, int Offset, bool CreatedEarlier)
{
    public const string AccessExclusive = "ACCESS EXCLUSIVE";

    public const string ShareRowExclusive = "SHARE ROW EXCLUSIVE";

    /// <summary>For the lock a foreign key takes on the table it references: the table the key is declared on.</summary>
    public string? ReferencedFrom { get; init; }

    /// <summary>For the lock CREATE TABLE ... PARTITION OF takes on the parent: the new partition.</summary>
    public string? PartitionOf { get; init; }

    /// <summary>The statement's lock on its own table (not one a foreign key or a partition takes on another).</summary>
    public bool IsOwn => ReferencedFrom is null && PartitionOf is null;

    /// <summary>Why another table is locked: "referenced by a foreign key of X", "the parent of the new partition X"; null for the own table.</summary>
    public string? Cause => ReferencedFrom is not null ? $"referenced by a foreign key of {ReferencedFrom}" : PartitionOf is not null ? $"the parent of the new partition {PartitionOf}" : null;

    /// <summary>"MODE lock on existing table T", saying which foreign key or partition takes it when it is another table's.</summary>
    public string Describe() => Cause is { } cause ? $"{Mode} lock on existing table {Table} ({cause})" : $"{Mode} lock on existing table {Table}";

    /// <summary>
    /// Every lock the statements of <paramref name="script"/> take on a named table, in order. <paramref name="catalog"/>
    /// (the scripts applied in order, this one among them) tells a table an earlier script creates.
    /// </summary>
    public static IReadOnlyList<StatementLock> Of(SqlScriptFile script, IReadOnlyList<SqlScriptFile>? catalog = null)
    {
        var created = script.CreatedTables.Where(t => CreatesNew(script, t, catalog) != false).ToList();
        bool CreatedBefore(string table, int start) => created.Any(t => t.Name == table && t.Offset < start);
        var locks = new List<StatementLock>();
        foreach (var statement in script.Statements)
        {
            var skeleton = statement.Skeleton;
            string? own = null;
            if (Read(skeleton) is { } found)
            {
                own = SqlNames.Normalize(found.Table);
                var offset = statement.Start + found.Offset;
                locks.Add(new StatementLock(statement, own, found.Mode, offset, CreatedBefore(own, statement.Start)));
            }

            var declaring = own ?? (CreateTableName().Match(skeleton) is { Success: true } create ? SqlNames.Normalize(create.Groups["name"].Value) : null);
            // CREATE TABLE ... PARTITION OF parent: ACCESS EXCLUSIVE on the parent until the transaction ends (PostgreSQL 15).
            if (own is null && declaring is not null && PartitionOfParent().Match(skeleton) is { Success: true } partition)
            {
                var parent = SqlNames.Normalize(partition.Groups["name"].Value);
                locks.Add(new StatementLock(statement, parent, AccessExclusive, statement.Start + partition.Groups["name"].Index,
                    CreatedBefore(parent, statement.Start))
                { PartitionOf = declaring });
            }

            if (declaring is null || !Regex.IsMatch(skeleton, @"^(?:CREATE|ALTER)\b", RegexOptions.IgnoreCase))
            {
                continue;
            }

            foreach (var referenced in References().Matches(skeleton).DistinctBy(m => SqlNames.Normalize(m.Groups["name"].Value)))
            {
                var table = SqlNames.Normalize(referenced.Groups["name"].Value);
                if (table != declaring)
                {
                    locks.Add(new StatementLock(statement, table, ShareRowExclusive, statement.Start + referenced.Groups["name"].Index,
                        CreatedBefore(table, statement.Start))
                    { ReferencedFrom = declaring });
                }
            }
        }

        return locks;
    }

    /// <summary>
    /// Whether <paramref name="table"/> (a CREATE TABLE of <paramref name="script"/>) makes a new table: always without
    /// IF NOT EXISTS (the statement fails on an existing one); with it, false when an earlier script of the catalog
    /// creates the table or the database has it, true when the database was read and has not, null when not known
    /// (no database read: the lint then warns, <see cref="Rules.IfNotExistsLockRule"/>).
    /// </summary>
    public static bool? CreatesNew(SqlScriptFile script, TableDefinition table, IReadOnlyList<SqlScriptFile>? catalog)
    {
        if (!table.IfNotExists || table.IsTemporary || script.IsApplied)
        {
            return true;
        }

        if (catalog is not null && catalog.TakeWhile(f => f != script).Any(f => f.CreatedTables.Any(t => t.Name == table.Name && !t.IsTemporary)))
        {
            return false;
        }

        return script.ExistingTables is { } existing ? !existing.Contains(table.Name) : null;
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

    [GeneratedRegex($@"^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTableName();

    [GeneratedRegex($@"^CREATE\s+(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{Identifier}(?:\s*\.\s*{Identifier})?\s+PARTITION\s+OF\s+{QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex PartitionOfParent();

    [GeneratedRegex($@"\bREFERENCES\s+(?:ONLY\s+)?{QualifiedName}", RegexOptions.IgnoreCase)]
    private static partial Regex References();

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
