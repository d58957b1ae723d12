using DbUp.Engine;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// DbUp's script executor seam, filled by the project's runner: each script as psql would run it (the
/// project's scanner, never DbUp's splitter or variable substitution), on a clean pooled session, in one
/// transaction with its journal row unless it says <c>-- migrator: no-transaction</c>, sent as one batch,
/// and cancelled with the run. The run's state (its runner, the scripts read and checked under the lock,
/// its cancellation) is given by <see cref="Begin"/> once the lock is held; DbUp then calls
/// <see cref="Execute(DbUp.Engine.SqlScript)"/> per script in its order.
/// </summary>
public sealed class MigratorScriptExecutor : IScriptExecutor
{
    private ScriptRunner? runner;
    private IReadOnlyDictionary<string, PreparedScript> prepared = new Dictionary<string, PreparedScript>();
    private bool journal;
    private CancellationToken cancellationToken;

    /// <summary>Migrations:CommandTimeout is the runner's; DbUp's setting is kept only to be read back.</summary>
    public int? ExecutionTimeoutSeconds { get; set; }

    public void Begin(ScriptRunner scriptRunner, IEnumerable<PreparedScript> scripts, bool writeJournal, CancellationToken cancellation)
    {
        runner = scriptRunner;
        prepared = scripts.ToDictionary(s => s.Name, StringComparer.Ordinal);
        journal = writeJournal;
        cancellationToken = cancellation;
    }

    public void Execute(DbUp.Engine.SqlScript script) => Execute(script, new Dictionary<string, string>());

    /// <summary>Variables are disabled in this migrator's upgrades: <c>$word$</c> is a dollar quote, never a variable.</summary>
    public void Execute(DbUp.Engine.SqlScript script, IDictionary<string, string> variables)
    {
        var run = runner ?? throw new InvalidOperationException("The migrator's executor runs scripts only inside MigrationEngine.UpAsync, after its checks.");
        // A script DbUp found that the checks did not see (a provider that answers differently the second time) is read here, and refused the same way.
        var toRun = prepared.GetValueOrDefault(script.Name) ?? PreparedScript.Of(CatalogScriptProvider.FromDbUp(script));
        if (toRun.Problems.Count > 0)
        {
            throw new ScriptFailedException($"Script {toRun.Name} cannot run through the migrator: {string.Join("; ", toRun.Problems)}. Nothing of it ran.");
        }

        // DbUp's engine is synchronous; it runs on a pool thread (MigrationEngine), so waiting here blocks no caller's context.
        run.RunAsync(toRun, journal, cancellationToken).GetAwaiter().GetResult();
    }

    public void VerifySchema()
    {
    }
}
