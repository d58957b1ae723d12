using Microsoft.Extensions.Logging;
using Npgsql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// The run's lock: a transaction-level advisory lock, taken in a transaction that a connection of its
/// own keeps open for the whole run. A session-level lock is not enough behind a transaction pooler
/// (PgBouncer in transaction mode, Azure's built-in PgBouncer): between transactions the pooler may hand
/// the server session to another client, or give this client another session, so the lock would
/// protect nothing. An open transaction pins one server session to this connection, poolers included,
/// and the lock ends with it: at the end of the run, or when the process dies and its connection drops.
/// </summary>
public sealed class MigrationLock : IAsyncDisposable
{
    // Two-int form, so pg_locks shows the key as (classid, objid) and the holder can be named.
    private const int KeySpace = 20250101;
    private const int KeyMigrations = 1;

    /// <summary>SQLSTATE of <see cref="Guard"/>'s error: the lock's session is gone, so another run may hold the lock.</summary>
    public const string LostSqlState = "WS010";

    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;

    private MigrationLock(NpgsqlConnection connection, NpgsqlTransaction transaction, int holderPid, long holderStart)
    {
        this.connection = connection;
        this.transaction = transaction;
        // The server's own pid and start of the lock's session (behind a pooler the client's pid is the pooler's):
        // a pid the server reuses for a later session is not the holder. The holder's row alone (pg_stat_get_activity(pid)),
        // not the pg_stat_activity view: the view reads and joins every backend's row, the most of the guard's cost per script.
        Guard = $"""
            DO $wedsync_lock$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_locks l, pg_catalog.pg_stat_get_activity({holderPid}) a
                           WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {KeySpace} AND l.objid = {KeyMigrations} AND l.objsubid = 2
                             AND l.pid = {holderPid} AND a.pid = {holderPid} AND (pg_catalog.date_part('epoch', a.backend_start) * 1000000)::bigint = {holderStart}) THEN
                RAISE EXCEPTION 'the migration lock was lost: its session (server pid {holderPid}) ended, so another run may hold it' USING ERRCODE = '{LostSqlState}';
            END IF;
            END $wedsync_lock$
            """;
    }

    /// <summary>
    /// A statement that fails with <see cref="LostSqlState"/> unless this run's lock session still holds the lock.
    /// Sent with each script's commit (in its transaction, pipelined: no round trip of its own) and before each
    /// write outside one, so a run that lost its lock stops before its next write.
    /// </summary>
    public string Guard { get; }

    /// <summary>Whether <paramref name="ex"/> is <see cref="Guard"/>'s failure.</summary>
    public static bool IsLost(Exception? ex) => ex is PostgresException { SqlState: LostSqlState };

    /// <summary>Fails with <see cref="MigrationLockLostException"/> unless the lock is still held (one round trip).</summary>
    public async Task EnsureHeldAsync(NpgsqlDataSource dataSource, string beforeWhat, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(Guard);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (IsLost(ex))
        {
            throw new MigrationLockLostException($"The run lost its migration lock ({ex.MessageText}); it stopped before {beforeWhat}.", ex);
        }
    }

    public static async Task<MigrationLock> AcquireAsync(
        NpgsqlDataSource dataSource, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        // A pooled connection is fine: closing it (or the process dying) ends the transaction and the lock.
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            var announced = false;
            while (true)
            {
                // Every attempt is a transaction of its own, ended before the wait: a waiter whose transaction
                // stayed open would be an old snapshot that the holder's CREATE INDEX CONCURRENTLY waits for,
                // while the waiter waits for the holder; PostgreSQL cannot see that cycle (the holder waits in
                // this process, not in a lock), so both would hang until the lock timeout.
                var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var attempt = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1, $2)", connection, transaction))
                {
                    attempt.Parameters.AddWithValue(KeySpace);
                    attempt.Parameters.AddWithValue(KeyMigrations);
                    if (await attempt.ExecuteScalarAsync(cancellationToken) is true)
                    {
                        var (pid, started) = await KeepOpenAsync(connection, transaction, cancellationToken);
                        return new MigrationLock(connection, transaction, pid, started);
                    }
                }

                string? holder = null;
                if (!announced || DateTime.UtcNow >= deadline)
                {
                    holder = await DescribeHolderAsync(connection, transaction, cancellationToken);
                }

                await transaction.RollbackAsync(cancellationToken);
                await transaction.DisposeAsync();
                if (!announced)
                {
                    logger.LogWarning("Waiting for the migration lock held by {Holder} (timeout {Timeout})", holder, timeout);
                    announced = true;
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw new TimeoutException($"The migration lock is still held by {holder} after {timeout}.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // The transaction idles for the whole run, so a server-wide idle-in-transaction timeout must not end
    // it. This SET also replaces the unnamed portal of the SELECT above: in the extended protocol that
    // portal, and the snapshot it holds, would live until the next statement, and an idle transaction
    // holding a snapshot makes CREATE INDEX CONCURRENTLY (run by this very migrator) wait for it forever.
    // The same round trip reads the session's server pid and start, for the Guard; the SET stays last (see above).
    private static async Task<(int Pid, long Started)> KeepOpenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT a.pid, (pg_catalog.date_part('epoch', a.backend_start) * 1000000)::bigint FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()"),
                new NpgsqlBatchCommand("SET LOCAL idle_in_transaction_session_timeout = 0"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var session = (reader.GetInt32(0), reader.GetInt64(1));
        while (await reader.NextResultAsync(cancellationToken))
        {
        }

        return session;
    }

    private static async Task<string> DescribeHolderAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT format('pid %s (%s, %s, since %s)', a.pid, coalesce(nullif(a.application_name, ''), 'unnamed'),
                          coalesce(host(a.client_addr), 'local'), to_char(a.backend_start, 'HH24:MI:SS'))
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
            LIMIT 1
            """, connection, transaction);
        command.Parameters.AddWithValue(KeySpace);
        command.Parameters.AddWithValue(KeyMigrations);
        return await command.ExecuteScalarAsync(cancellationToken) as string ?? "another session";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await transaction.RollbackAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // Closing the connection below ends the transaction, and the lock with it, anyway (or it ended already:
            // the lock session was cut, which the run's guard reported).
        }

        try
        {
            await transaction.DisposeAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // As above.
        }

        await connection.DisposeAsync();
    }
}
