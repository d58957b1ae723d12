using Npgsql;
using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// Says which script and statement failed, with PostgreSQL's error code and the line in the script,
/// and calls a timeout a timeout: the script's statement_timeout or lock_timeout, or the migrator's
/// own Migrations:CommandTimeout.
/// </summary>
public static class ScriptFailureMessage
{
    /// <summary>"failed with PostgreSQL error 42703 (...) at statement 2 (line 3, position 8: SELECT ...)".</summary>
    public static string Cause(Exception error, SqlStatement? statement, TimeSpan? commandTimeout)
    {
        var where = statement is null ? "" : Where(statement, error as PostgresException);
        return error switch
        {
            PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } pg when pg.MessageText.Contains("statement timeout", StringComparison.OrdinalIgnoreCase) =>
                $"timed out: the statement_timeout in effect canceled it (PostgreSQL error {pg.SqlState}: {pg.MessageText}){where}",
            PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } pg when pg.MessageText.Contains("lock timeout", StringComparison.OrdinalIgnoreCase) =>
                $"timed out waiting for a lock: the lock_timeout in effect canceled it (PostgreSQL error {pg.SqlState}: {pg.MessageText}){where}",
            PostgresException pg =>
                $"failed with PostgreSQL error {pg.SqlState} ({pg.MessageText}){Detail(pg)}{where}{Advice(pg)}",
            NpgsqlException { InnerException: TimeoutException } =>
                $"timed out: it ran longer than Migrations:CommandTimeout ({commandTimeout}) and the migrator canceled it{where}",
            _ => $"failed: {error.Message}{where}",
        };
    }

    private static string Where(SqlStatement statement, PostgresException? pg)
    {
        var position = pg?.Position > 0 ? $", position {pg.Position}" : "";
        var line = pg?.Position > 0 ? statement.LineOf(statement.Start + pg.Position - 1) : statement.Line;
        return $" at statement {statement.Number} (line {line}{position}: {statement.Summary()})";
    }

    private static string Detail(PostgresException pg) => string.IsNullOrEmpty(pg.Detail) ? "" : $" [{pg.Detail}]";

    private static string Advice(PostgresException pg) => pg.SqlState == PostgresErrorCodes.ActiveSqlTransaction
        ? $". This statement cannot run inside a transaction block: move it to a script of its own whose first line is `{ScriptModeMarker.NoTransaction}`"
        : "";
}
