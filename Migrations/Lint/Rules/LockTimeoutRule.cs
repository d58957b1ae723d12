using System.Text.RegularExpressions;
using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Lint.Rules;

/// <summary>
/// A DDL statement waiting for its lock queues every later query on the table behind it: one long
/// transaction turns a millisecond ALTER into an outage. A script that locks an existing table sets
/// lock_timeout before the first such statement, so it fails fast and can be retried instead.
/// No-transaction scripts are exempt: the migrator refuses SET in them (behind a transaction pooler the
/// setting would not reach the next statement), so their limit is Migrations:CommandTimeout.
/// </summary>
public sealed partial class LockTimeoutRule : ILintRule
{
    public string Name => "lock-timeout-missing";

    public LintSeverity Severity => LintSeverity.Error;

    public string Why => "While a DDL statement waits for its lock, every later query on the table queues behind it.";

    public string Remedy => "Start the script with SET LOCAL lock_timeout = '5s'.";

    public IEnumerable<LintFinding> Check(SqlScriptFile script, IReadOnlyList<SqlScriptFile> catalog)
    {
        if (ScriptModeMarker.Of(script.Text) == ScriptMode.NoTransaction)
        {
            yield break;
        }

        var first = StatementLock.Of(script, catalog).FirstOrDefault(l => !l.CreatedEarlier && l.Mode != "ROW EXCLUSIVE");
        if (first is null)
        {
            yield break;
        }

        var setEarlier = script.Statements
            .TakeWhile(s => s.Start < first.Statement.Start)
            .Any(s => SetLockTimeout().IsMatch(s.Code));
        if (!setEarlier)
        {
            yield return script.Finding(this, first.Statement.Start,
                $"{first.Describe()} is taken without a lock_timeout set earlier in the script");
        }
    }

    [GeneratedRegex(@"^SET\s+(?:LOCAL\s+|SESSION\s+)?lock_timeout\b|set_config\s*\(\s*'lock_timeout'", RegexOptions.IgnoreCase)]
    private static partial Regex SetLockTimeout();
}
