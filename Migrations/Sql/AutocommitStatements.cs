namespace WedSync.Migrations.Sql;

/// <summary>
/// Statements PostgreSQL refuses inside a transaction block (SQLSTATE 25001), and which of them a
/// <c>-- migrator: no-transaction</c> script may hold: those whose rerun is harmless, because such a
/// script is rerun whole when one of its statements failed after others had committed.
/// </summary>
public static class AutocommitStatements
{
    /// <summary>What the statement is, when it can only run outside a transaction block; otherwise null.</summary>
    public static string? Describe(SqlStatement statement)
    {
        if (IsCreateIndexConcurrently(statement))
        {
            return "CREATE INDEX CONCURRENTLY";
        }

        if (statement.StartsWith("drop", "index", "concurrently"))
        {
            return "DROP INDEX CONCURRENTLY";
        }

        if (statement.StartsWith("reindex") && (statement.Words.Contains("concurrently") || statement.Words.Skip(1).Take(1).Any(w => w is "schema" or "database" or "system")))
        {
            return "REINDEX " + (statement.Words.Contains("concurrently") ? "CONCURRENTLY" : statement.Words[1].ToUpperInvariant());
        }

        if (statement.StartsWith("vacuum"))
        {
            return "VACUUM";
        }

        if (statement.StartsWith("alter", "table") && statement.ContainsWords("detach", "partition") && statement.Words.Contains("concurrently"))
        {
            return "ALTER TABLE ... DETACH PARTITION CONCURRENTLY";
        }

        foreach (var (words, name) in Others)
        {
            if (statement.StartsWith(words))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Null when the statement may stand in a no-transaction script; otherwise why not.</summary>
    public static string? RefusalInNoTransactionScript(SqlStatement statement)
    {
        if (IsCreateIndexConcurrently(statement))
        {
            return statement.ContainsWords("if", "not", "exists")
                ? null
                : "CREATE INDEX CONCURRENTLY in a no-transaction script must say IF NOT EXISTS, so that rerunning the script after a later statement failed is harmless";
        }

        if (statement.StartsWith("drop", "index", "concurrently"))
        {
            return statement.ContainsWords("if", "exists")
                ? null
                : "DROP INDEX CONCURRENTLY in a no-transaction script must say IF EXISTS, so that rerunning the script is harmless";
        }

        // REINDEX of any target, and ALTER SYSTEM, leave the same state when run again: harmless to rerun.
        if (statement.StartsWith("reindex") || statement.StartsWith("alter", "system"))
        {
            return null;
        }

        if (NotRerunnable(statement) is { } name)
        {
            return NotRunnable(name);
        }

        if (statement.StartsWith("vacuum"))
        {
            return null;
        }

        if (statement.StartsWith("alter", "type") && statement.ContainsWords("add", "value"))
        {
            // Not refused inside a transaction, but the new value cannot be used before it commits.
            return statement.ContainsWords("add", "value", "if", "not", "exists")
                ? null
                : "ALTER TYPE ... ADD VALUE in a no-transaction script must say IF NOT EXISTS, so that rerunning the script is harmless";
        }

        return "a no-transaction script holds only statements that cannot run in a transaction, in forms that are harmless to rerun " +
            "(CREATE INDEX CONCURRENTLY IF NOT EXISTS, DROP INDEX CONCURRENTLY IF EXISTS, REINDEX, VACUUM, ALTER SYSTEM, " +
            "ALTER TYPE ... ADD VALUE IF NOT EXISTS); put everything else in a script of its own";
    }

    /// <summary>
    /// Statements that cannot run in a transaction and fail when run again (no IF [NOT] EXISTS form), so no mode
    /// of the migrator can run them faithfully; null for any other.
    /// </summary>
    public static string? NotRerunnable(SqlStatement statement) =>
        Others.Where(o => o.Words[0] is "create" or "drop" && o.Words[1] is "database" or "tablespace")
            .Where(o => statement.StartsWith(o.Words)).Select(o => o.Name).FirstOrDefault();

    /// <summary>The advice for <see cref="NotRerunnable"/>: it works, unlike a marker that would refuse it too.</summary>
    public static string NotRunnable(string name) =>
        $"{name} cannot run in a transaction block, and a no-transaction script (rerun whole after a failure) cannot hold it either: " +
        "it fails when run again. Run it once outside the migrations (psql, or the platform's tooling), before up";

    /// <summary>CREATE [UNIQUE] INDEX CONCURRENTLY.</summary>
    public static bool IsCreateIndexConcurrently(SqlStatement statement) =>
        statement.StartsWith("create", "index", "concurrently") || statement.StartsWith("create", "unique", "index", "concurrently");

    private static readonly (string[] Words, string Name)[] Others =
    [
        (["create", "database"], "CREATE DATABASE"),
        (["drop", "database"], "DROP DATABASE"),
        (["create", "tablespace"], "CREATE TABLESPACE"),
        (["drop", "tablespace"], "DROP TABLESPACE"),
        (["alter", "system"], "ALTER SYSTEM"),
    ];
}
