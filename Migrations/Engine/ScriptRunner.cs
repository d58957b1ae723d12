using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Sql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// Runs one script as psql would, statement by statement as the scanner cut it, and writes its journal
/// row with it. Every script starts from a clean session: role, session authorization and every
/// setting reset, so nothing a previous script set (search_path, role, timeouts) leaks into it.
/// Statements run without a client timeout unless Migrations:CommandTimeout is set: the limits are the
/// script's own statement_timeout and lock_timeout.
/// With <c>lockGuard</c> (<see cref="MigrationLock.Guard"/>) every commit proves the run still holds its lock.
/// </summary>
public sealed class ScriptRunner(NpgsqlDataSource dataSource, TimeSpan? commandTimeout, string appliedBy, ILogger logger, Guid? runId = null, string? lockGuard = null)
{
    // Plain SET/RESET only: they take no snapshot, so a script may still begin with SET TRANSACTION.
    private static readonly string[] CleanSession = ["SET SESSION AUTHORIZATION DEFAULT", "RESET ALL"];

    private int TimeoutSeconds => commandTimeout is { } timeout ? (int)Math.Ceiling(timeout.TotalSeconds) : 0;

    public async Task RunAsync(PreparedScript script, bool journal, CancellationToken cancellationToken)
    {
        using var activity = MigrationTelemetry.Source.StartActivity($"migrate {script.Name}");
        activity?.SetTag("wedsync.migration.script", script.Name);
        activity?.SetTag("wedsync.migration.mode", script.Mode == ScriptMode.NoTransaction ? "no-transaction" : "transaction");
        var started = Stopwatch.GetTimestamp();
        var outcome = "applied";
        try
        {
            if (script.Mode == ScriptMode.NoTransaction)
            {
                await RunWithoutTransactionAsync(script, journal, cancellationToken);
            }
            else
            {
                await RunInTransactionAsync(script, journal, cancellationToken);
            }
        }
        catch (ScriptFailedException ex)
        {
            outcome = "failed";
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.AddException(ex.InnerException ?? ex);
            if (ex.InnerException is PostgresException pg)
            {
                activity?.SetTag("db.response.status_code", pg.SqlState);
            }

            MigrationTelemetry.ScriptsFailed.Add(1, new KeyValuePair<string, object?>("script", script.Name));
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            activity?.SetTag("wedsync.migration.outcome", outcome);
            MigrationTelemetry.ScriptDuration.Record(elapsed,
                new KeyValuePair<string, object?>("script", script.Name),
                new KeyValuePair<string, object?>("outcome", outcome));
        }

        MigrationTelemetry.ScriptsApplied.Add(1, new KeyValuePair<string, object?>("script", script.Name));
    }

    // One round trip: BEGIN, the session reset, every statement, the lock guard, the journal row and COMMIT,
    // pipelined. PostgreSQL runs them in order and skips the rest at the first error (the COMMIT too), so
    // nothing commits unless all did; a separate COMMIT would be a second round trip and wake-up per script.
    private async Task RunInTransactionAsync(PreparedScript script, bool journal, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection) { Timeout = TimeoutSeconds };
        // What Npgsql's BeginTransaction() sends.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED"));
        foreach (var sql in CleanSession)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        }

        var firstStatement = batch.BatchCommands.Count;
        foreach (var statement in script.Statements)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement.Text));
        }

        if (journal || lockGuard is not null)
        {
            // The script may have changed role or session user; the guard and journal row run as the migrator.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(CleanSession[0]));
        }

        if (lockGuard is not null)
        {
            // In the script's transaction, right before its commit: a run that lost its lock commits nothing more.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(lockGuard));
        }

        if (journal)
        {
            batch.BatchCommands.Add(JournalStore.InsertCommand(script.Script, appliedBy, null, runId, script.AllowedLintRules));
        }

        var commit = batch.BatchCommands.Count;
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
        {
            await RollBackAsync(connection);
            if (MigrationLock.IsLost(ex))
            {
                throw new MigrationLockLostException(
                    $"The run lost its migration lock ({((PostgresException)ex).MessageText}): script {script.Name} was rolled back with it " +
                    "(nothing of it committed, no journal row), and the run stopped before its next write.", ex);
            }

            if (ex is not NpgsqlException failure)
            {
                throw;
            }

            // Npgsql leaves the exception's BatchCommand empty here, but marks every command it saw
            // complete with its statement type: the first one still Unknown is the one that failed.
            var failedCommand = batch.BatchCommands.ToList<NpgsqlBatchCommand>().FindIndex(c => c.StatementType == StatementType.Unknown);
            var index = failedCommand - firstStatement;
            var failedAt = failedCommand >= 0 && index >= 0 && index < script.Statements.Count ? script.Statements[index] : null;
            var step = failedAt is not null ? ""
                : failedCommand == commit ? " at COMMIT (a deferred constraint or trigger)"
                : index >= script.Statements.Count ? " while writing its journal row"
                : failedCommand >= 0 ? " while resetting its session"
                : "";
            throw new ScriptFailedException(
                $"Script {script.Name}{step} {ScriptFailureMessage.Cause(failure, failedAt, commandTimeout)}. " +
                "It was rolled back: nothing of it was committed and it has no journal row.", failure);
        }
    }

    // After a failed batch the session is in an aborted transaction block: end it before the connection goes back to the pool.
    private static async Task RollBackAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is not returned to the pool: its transaction ended with it.
        }
    }

    // Each statement commits on its own (the run still holds the migration lock); the journal row is
    // written only after the last one succeeded, so a failure leaves the script pending and the next
    // run reruns all of it, which the lint rules keep harmless (IF [NOT] EXISTS).
    private async Task RunWithoutTransactionAsync(PreparedScript script, bool journal, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, CleanSession, cancellationToken);
        foreach (var statement in script.Statements)
        {
            await EnsureLockHeldAsync(connection, script, statement.Number - 1, cancellationToken);
            try
            {
                if (AutocommitStatements.IsCreateIndexConcurrently(statement))
                {
                    await DropInvalidIndexAsync(connection, statement, cancellationToken);
                }

                await ExecuteAsync(connection, [statement.Text], cancellationToken);
            }
            catch (NpgsqlException ex)
            {
                var invalid = AutocommitStatements.IsCreateIndexConcurrently(statement) && connection.State == System.Data.ConnectionState.Open
                    ? await FindInvalidIndexAsync(connection, statement, CancellationToken.None)
                    : null;
                var left = invalid is null ? ""
                    : $" The failed build left index {invalid} INVALID (unused by queries, still maintained by writes); the next run drops and rebuilds it.";
                throw new ScriptFailedException(
                    $"Script {script.Name} (no-transaction) {ScriptFailureMessage.Cause(ex, statement, commandTimeout)}. " +
                    $"{Committed(script, statement.Number - 1)} Statement {statement.Number} and any after it did not commit, " +
                    $"and the script has no journal row: the next run reruns it from the start.{left}", ex);
            }
        }

        if (!journal)
        {
            return;
        }

        try
        {
            await using var batch = new NpgsqlBatch(connection);
            if (lockGuard is not null)
            {
                // One implicit transaction with the row: it is written only while the lock is held.
                batch.BatchCommands.Add(new NpgsqlBatchCommand(lockGuard));
            }

            batch.BatchCommands.Add(JournalStore.InsertCommand(script.Script, appliedBy, startedAt, runId, script.AllowedLintRules));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (MigrationLock.IsLost(ex))
        {
            throw new MigrationLockLostException(
                $"The run lost its migration lock ({ex.MessageText}): script {script.Name} (no-transaction) committed every statement " +
                "but has no journal row (the next run reruns it), and the run stopped before its next write.", ex);
        }
        catch (NpgsqlException ex)
        {
            throw new ScriptFailedException(
                $"Script {script.Name} (no-transaction): every statement committed, but writing its journal row failed " +
                $"({ScriptFailureMessage.Cause(ex, null, commandTimeout)}); the next run reruns it.", ex);
        }
    }

    // A no-transaction statement commits on its own, so the lock is proven before it (a round trip: such
    // statements cannot share an implicit transaction with another).
    private async Task EnsureLockHeldAsync(NpgsqlConnection connection, PreparedScript script, int committed, CancellationToken cancellationToken)
    {
        if (lockGuard is null)
        {
            return;
        }

        try
        {
            await ExecuteAsync(connection, [lockGuard], cancellationToken);
        }
        catch (PostgresException ex) when (MigrationLock.IsLost(ex))
        {
            throw new MigrationLockLostException(
                $"The run lost its migration lock ({ex.MessageText}): script {script.Name} (no-transaction) stopped before statement {committed + 1}. " +
                $"{Committed(script, committed)} The script has no journal row (the next run reruns it), and the run stopped before its next write.", ex);
        }
    }

    private static string Committed(PreparedScript script, int count) => count switch
    {
        0 => "None of its statements committed.",
        1 => "Its statement 1 committed and stays.",
        _ => $"Its statements 1 to {count} committed and stay.",
    };

    private async Task ExecuteAsync(NpgsqlConnection connection, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        // A batch command without parameters is sent exactly as given: Npgsql neither parses nor splits it.
        foreach (var sql in statements)
        {
            await using var batch = new NpgsqlBatch(connection) { Timeout = TimeoutSeconds };
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // CREATE INDEX CONCURRENTLY IF NOT EXISTS would keep an INVALID index left by a failed build and
    // report success; drop such an index first so that the statement builds it again.
    private async Task DropInvalidIndexAsync(NpgsqlConnection connection, SqlStatement statement, CancellationToken cancellationToken)
    {
        if (await FindInvalidIndexAsync(connection, statement, cancellationToken) is not { } invalid)
        {
            return;
        }

        logger.LogWarning("Index {Index} is INVALID (left by a failed concurrent build); dropping it to build it again", invalid);
        await ExecuteAsync(connection, [$"DROP INDEX CONCURRENTLY IF EXISTS {invalid}"], cancellationToken);
    }

    private static async Task<string?> FindInvalidIndexAsync(NpgsqlConnection connection, SqlStatement statement, CancellationToken cancellationToken)
    {
        if (IndexTarget.Of(statement) is not { } target)
        {
            return null;
        }

        await using var command = new NpgsqlCommand("""
            SELECT format('%I.%I', n.nspname, c.relname)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = $1 AND i.indrelid = pg_catalog.to_regclass($2) AND NOT i.indisvalid
            """, connection);
        command.Parameters.AddWithValue(target.IndexName);
        command.Parameters.AddWithValue(target.Table);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
