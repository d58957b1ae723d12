namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// CREATE TABLE IF NOT EXISTS t, then statements locking t: the lock rules judge those as on a new table, which
/// holds only when t does not exist yet; when it does, they lock a table in use. <c>plan</c>, <c>up</c> and
/// <c>lint</c> with a database decide it from the live database (<see cref="LiveTables"/>: the lock rules then fire
/// as on any existing table); without one (lint offline) this warning says the exemption is an assumption.
/// </summary>
public sealed class IfNotExistsLockRule : ILintRule
{
    public string Name => "lock-if-not-exists";

    public LintSeverity Severity => LintSeverity.Warning;

    public string Why => "CREATE TABLE IF NOT EXISTS creates nothing when the table exists: the statements after it then lock a table in use.";

    public string Remedy => "Lint with the database configured (ConnectionStrings:wedsync), or run plan: they decide from the live database; or write CREATE TABLE without IF NOT EXISTS.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        var locks = StatementLock.Of(script, catalog);
        foreach (var table in script.CreatedTables.Where(t => StatementLock.CreatesNew(script, t, catalog) is null))
        {
            var later = locks.Where(l => l.Table == table.Name && l.CreatedEarlier && l.Offset > table.Offset && l.Mode != "ROW EXCLUSIVE").ToList();
            if (later.Count > 0)
            {
                yield return script.Finding(this, table.Offset,
                    $"{table.Name} is created IF NOT EXISTS; the {string.Join(", ", later.Select(l => l.Mode).Distinct())} lock(s) on it at line(s) " +
                    $"{string.Join(", ", later.Select(l => script.LineAt(l.Offset)).Distinct())} are judged as on a new table, which holds only if it does not exist yet (no database was read)");
            }
        }
    }
}
