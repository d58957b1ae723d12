namespace WedSync.Migrations.Sql;

/// <summary>
/// What the migrator refuses before anything runs, because it would make the journal lie or cannot
/// work without psql: transaction control at the top level (it would commit part of a script
/// without its journal row), psql meta-commands and COPY with the client's stdin/stdout, statements
/// PostgreSQL refuses in a transaction in a transactional script, and anything but such statements in
/// a no-transaction script.
/// </summary>
public static partial class ScriptRules
{
    private static readonly string[][] TransactionControl =
    [
        ["begin"], ["start", "transaction"], ["commit"], ["end"], ["rollback"], ["abort"], ["savepoint"], ["release"],
        ["prepare", "transaction"],
    ];

    public static IReadOnlyList<ScriptProblem> Check(string scriptName, ScannedScript scanned, ScriptMode mode)
    {
        var problems = new List<ScriptProblem>();
        foreach (var meta in scanned.MetaCommands)
        {
            problems.Add(new ScriptProblem(scriptName, meta.Line, meta.Text,
                "psql meta-command: psql runs these itself and the server never sees them; write the SQL it stands for, or run the file with psql"));
        }

        foreach (var statement in scanned.Statements)
        {
            var reason = Refusal(statement, mode);
            if (reason is not null)
            {
                problems.Add(new ScriptProblem(scriptName, statement.Line, statement.Summary(), reason));
            }
        }

        return problems.OrderBy(p => p.Line).ToList();
    }

    private static string? Refusal(SqlStatement statement, ScriptMode mode)
    {
        if (TransactionControl.Any(words => statement.StartsWith(words)))
        {
            return "transaction control: the migrator runs each script in a transaction of its own and records it in the journal in that " +
                "transaction, so a COMMIT, ROLLBACK, BEGIN or SAVEPOINT in the script would commit or undo part of it behind the journal's back. " +
                $"Remove it; for statements that cannot run in a transaction, put them in a script whose first line is `{ScriptModeMarker.NoTransaction}`";
        }

        if (statement.StartsWith("copy") && (statement.ContainsWords("from", "stdin") || statement.ContainsWords("to", "stdout")))
        {
            return "COPY from stdin or to stdout needs psql to feed or read the data; use INSERT ... VALUES, or COPY from a file the server can read";
        }

        if (mode == ScriptMode.NoTransaction)
        {
            return AutocommitStatements.RefusalInNoTransactionScript(statement);
        }

        if (AutocommitStatements.NotRerunnable(statement) is { } notRerunnable)
        {
            return AutocommitStatements.NotRunnable(notRerunnable);
        }

        if (statement.StartsWith("do") && TransactionControlInBody().IsMatch(statement.Text))
        {
            return "a DO block that commits or rolls back cannot run in the script's transaction (PostgreSQL fails it with 2D000 " +
                "when it reaches COMMIT, after the statements before it ran); split its work into scripts, each its own transaction";
        }

        return AutocommitStatements.Describe(statement) is { } name
            ? $"{name} cannot run inside a transaction block (PostgreSQL refuses it with 25001); put it in a script of its own whose first line is `{ScriptModeMarker.NoTransaction}`"
            : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:commit|rollback)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex TransactionControlInBody();
}
