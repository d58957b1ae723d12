using System.Data;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Engine.Transactions;
using Npgsql;
using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// DbUp's connection seam over the run's one pool. DbUp's own managers open an upgrade connection for the
/// whole operation and share it between scripts; here every script takes a pooled connection of its own and
/// resets it (<see cref="ScriptRunner"/>), so the operation itself holds none: nothing a script sets leaks
/// into the next, and the run needs no third connection beside the lock's and the scripts'.
/// Scripts are cut by the project's scanner (psql's rules), not by DbUp's parser.
/// </summary>
public sealed class MigratorConnectionManager(NpgsqlDataSource dataSource) : IConnectionManager
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>Per script, as the script says (<see cref="ScriptMode"/>): DbUp's mode is only reported.</summary>
    public TransactionMode TransactionMode { get; set; } = TransactionMode.TransactionPerScript;

    public bool IsScriptOutputLogged { get; set; }

    public int? ExecutionTimeoutSeconds { get; set; }

    public IDisposable OperationStarting(IUpgradeLog upgradeLog, List<DbUp.Engine.SqlScript> executedScripts) => new NothingHeld();

    public void ExecuteCommandsWithManagedConnection(Action<Func<IDbCommand>> action) =>
        ExecuteCommandsWithManagedConnection<object?>(factory =>
        {
            action(factory);
            return null;
        });

    /// <summary>A pooled connection and one transaction for the action's commands (DbUp's per-script strategy).</summary>
    public T ExecuteCommandsWithManagedConnection<T>(Func<Func<IDbCommand>, T> actionWithResult)
    {
        using var connection = DataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var result = actionWithResult(() =>
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            if (ExecutionTimeoutSeconds is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            return command;
        });
        transaction.Commit();
        return result;
    }

    public IEnumerable<string> SplitScriptIntoCommands(string scriptContents) =>
        SqlScanner.Scan(scriptContents).Statements.Select(s => s.Text);

    public bool TryConnect(IUpgradeLog upgradeLog, out string errorMessage)
    {
        try
        {
            using var connection = DataSource.OpenConnection();
            errorMessage = "";
            return true;
        }
        catch (NpgsqlException ex)
        {
            errorMessage = ex.Message;
            return false;
        }
    }

    private sealed class NothingHeld : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
