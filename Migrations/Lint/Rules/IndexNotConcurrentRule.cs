namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// CREATE INDEX without CONCURRENTLY on a table the script did not create takes a SHARE lock: every
/// INSERT, UPDATE and DELETE on the table waits for the whole index build.
/// </summary>
public sealed class IndexNotConcurrentRule : ILintRule
{
    public string Name => "lock-index-not-concurrent";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "CREATE INDEX takes a SHARE lock on an existing table: writes wait for the whole index build.";

    public string Remedy => "CREATE INDEX CONCURRENTLY in its own script whose first line is '-- migrator: no-transaction'.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog) =>
        StatementLock.Of(script, catalog)
            .Where(l => l.Mode == "SHARE" && !l.CreatedEarlier && l.IsOwn)
            .Select(l => script.Finding(this, l.Statement.Start, $"index on existing table {l.Table} is built without CONCURRENTLY"));
}
