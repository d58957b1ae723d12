using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Platform.Database;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>
/// The monitoring reads' own path to the server: two small pools of their own (reads, and the request sessions of
/// monitoring reads), whose connections are opened at startup and kept (Minimum Pool Size), and a bounded
/// transaction around every statement.
/// </summary>
/// <remarks>
/// Monitoring exists for the moment the database is in trouble, so it must not queue behind what it
/// reports: a relation lock (lock_timeout), a runaway plan (statement_timeout), a request pool used up
/// by clients (its own pool), or max_connections reached by other clients (connections held open from
/// startup). PostgreSQL 15 has no pg_use_reserved_connections and the superuser reserve would need the
/// API to log in as a superuser, so the kept connections are the reserved path. Every read connection is kept (a pool
/// with fewer kept than allowed opens a new one under load, which fails once clients fill the server); the session pool
/// keeps Monitoring:SessionPoolKept and may grow while the server has room.
/// </remarks>
public sealed class MonitoringDatabase : IAsyncDisposable
{
    /// <summary>The application_name of every monitoring statement; slow-query detection leaves these out.</summary>
    public const string ApplicationName = "wedsync-monitoring";

    private const string BoundsSql =
        "SELECT set_config('lock_timeout', @lock, true), set_config('statement_timeout', @statement, true), set_config('application_name', @app, true)";

    private readonly IOptions<MonitoringReadOptions> options;

    public MonitoringDatabase(IConfiguration configuration, IOptions<MonitoringReadOptions> options)
    {
        this.options = options;
        var connection = new NpgsqlConnectionStringBuilder(DatabaseSetup.DirectConnectionString(configuration)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DatabaseSetup.ConnectionName} is not set."));
        connection.Options = DatabaseSetup.WithoutJit(connection.Options);
        connection.ApplicationName = ApplicationName;
        connection.MaxPoolSize = connection.MinPoolSize = options.Value.ReadPoolSize;
        DataSource = NpgsqlDataSource.Create(connection);
        connection.MaxPoolSize = options.Value.SessionPoolSize;
        connection.MinPoolSize = SessionsKept = Math.Min(options.Value.SessionPoolKept, options.Value.SessionPoolSize);
        SessionSource = NpgsqlDataSource.Create(connection);
    }

    /// <summary>The read pool: <see cref="ReadAsync{T}"/>, the event listener, the console's sign-out check.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The pool of the request sessions (role, claims, RLS) of monitoring reads: GET endpoints and operators' pages.</summary>
    public NpgsqlDataSource SessionSource { get; }

    /// <summary>Each pool with the connections it opens at startup and never closes for idleness.</summary>
    public IReadOnlyList<(NpgsqlDataSource Pool, int Kept)> KeptPools => [(DataSource, options.Value.ReadPoolSize), (SessionSource, SessionsKept)];

    private int SessionsKept { get; }

    /// <summary>Lock wait allowed to one monitoring statement before it gives up and the answer is partial.</summary>
    public TimeSpan LockTimeout => options.Value.ReadLockTimeout;

    /// <summary>Run time allowed to one monitoring statement.</summary>
    public TimeSpan StatementTimeout => options.Value.ReadStatementTimeout;

    /// <summary>The statement that bounds the rest of its transaction; send it first in the opening batch (no round trip of its own).</summary>
    public NpgsqlBatchCommand BoundsCommand() => new(BoundsSql)
    {
        Parameters =
        {
            new NpgsqlParameter("lock", Milliseconds(LockTimeout)),
            new NpgsqlParameter("statement", Milliseconds(StatementTimeout)),
            new NpgsqlParameter("app", ApplicationName),
        },
    };

    /// <summary>A connection of the monitoring pool with a transaction open; add <see cref="BoundsCommand"/> first to its first batch.</summary>
    public async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> BeginAsync(CancellationToken ct)
    {
        var connection = await DataSource.OpenConnectionAsync(ct);
        try
        {
            // Npgsql sends BEGIN with the first batch: still one round trip.
            return (connection, await connection.BeginTransactionAsync(ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one statement in a bounded transaction and returns its scalar.</summary>
    public Task<object?> ScalarAsync(string sql, CancellationToken ct) =>
        ReadAsync([new NpgsqlBatchCommand(sql)], async reader => await reader.ReadAsync(ct) ? reader.GetValue(0) : null, ct);

    /// <summary>
    /// Runs a read in a bounded transaction of the monitoring pool, in one round trip: the bounds go first
    /// in the batch, and <paramref name="read"/> starts at the first result of <paramref name="commands"/>.
    /// A lock or time bound hit surfaces as an exception <see cref="IsUnavailable"/> recognises.
    /// </summary>
    public async Task<T> ReadAsync<T>(IEnumerable<NpgsqlBatchCommand> commands, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct)
    {
        var (connection, transaction) = await BeginAsync(ct);
        await using (connection)
        await using (transaction)
        {
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { BoundsCommand() } };
            foreach (var command in commands)
            {
                batch.BatchCommands.Add(command);
            }

            T result;
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                await reader.NextResultAsync(ct);
                result = await read(reader);
            }

            await transaction.CommitAsync(ct);
            return result;
        }
    }

    /// <summary>True for an error that means "could not read this now" (a lock or time bound), not a fault.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled } => true,
        NpgsqlException { InnerException: TimeoutException } => true,
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await SessionSource.DisposeAsync();
    }

    private static string Milliseconds(TimeSpan value) => $"{(long)value.TotalMilliseconds}ms";
}
