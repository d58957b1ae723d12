using Microsoft.Extensions.Logging;
using Npgsql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// A session advisory lock held for the whole run, on a connection of its own (unpooled, so the
/// lock dies with the connection even if the process is killed). A second migrator waits for it.
/// </summary>
public sealed class MigrationLock : IAsyncDisposable
{
    // Two-int form, so pg_locks shows the key as (classid, objid) and the holder can be named.
    private const int KeySpace = 20250101;
    private const int KeyMigrations = 1;

    private readonly NpgsqlConnection connection;

    private MigrationLock(NpgsqlConnection connection) => this.connection = connection;

    public static async Task<MigrationLock> AcquireAsync(
        string connectionString, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = "wedsync-migrator",
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            var announced = false;
            while (true)
            {
                await using var attempt = new NpgsqlCommand("SELECT pg_try_advisory_lock(@space, @key)", connection);
                attempt.Parameters.AddWithValue("space", KeySpace);
                attempt.Parameters.AddWithValue("key", KeyMigrations);
                if (await attempt.ExecuteScalarAsync(cancellationToken) is true)
                {
                    return new MigrationLock(connection);
                }

                if (!announced)
                {
                    logger.LogWarning("Waiting for the migration lock held by {Holder} (timeout {Timeout})",
                        await DescribeHolderAsync(connection, cancellationToken), timeout);
                    announced = true;
                }

                if (DateTime.UtcNow >= deadline)
                {
                    throw new TimeoutException(
                        $"The migration lock is still held by {await DescribeHolderAsync(connection, cancellationToken)} after {timeout}.");
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

    private static async Task<string> DescribeHolderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT format('pid %s (%s, %s, since %s)', a.pid, coalesce(nullif(a.application_name, ''), 'unnamed'),
                          coalesce(host(a.client_addr), 'local'), to_char(a.backend_start, 'HH24:MI:SS'))
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = @space AND l.objid = @key AND l.objsubid = 2
            LIMIT 1
            """, connection);
        command.Parameters.AddWithValue("space", KeySpace);
        command.Parameters.AddWithValue("key", KeyMigrations);
        return await command.ExecuteScalarAsync(cancellationToken) as string ?? "another session";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@space, @key)", connection);
            unlock.Parameters.AddWithValue("space", KeySpace);
            unlock.Parameters.AddWithValue("key", KeyMigrations);
            await unlock.ExecuteScalarAsync();
        }
        catch (NpgsqlException)
        {
            // Closing the connection below releases the lock anyway.
        }

        await connection.DisposeAsync();
    }
}
