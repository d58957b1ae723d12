using Microsoft.Extensions.Logging;
using Npgsql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// Makes sure the target database exists before the lock is taken. When it exists nothing else is
/// touched (a role that owns it may not be allowed to connect anywhere else); when it does not, it is
/// created from a maintenance database, and losing the race to a migrator creating it at the same time
/// (42P04, or 23505 from pg_database's unique index) counts as success.
/// </summary>
public static class DatabaseBootstrap
{
    private static readonly string[] MaintenanceDatabases = ["postgres", "template1"];

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        try
        {
            // A run uses two connections (the lock's, held to the end, and the one the scripts run on):
            // both are opened at once, and go back to the pool for the lock and the journal to take, so
            // the second's start-up (a server process, authentication) is not a step of its own later.
            var probes = new[] { dataSource.OpenConnectionAsync(cancellationToken).AsTask(), dataSource.OpenConnectionAsync(cancellationToken).AsTask() };
            try
            {
                await Task.WhenAll(probes);
            }
            finally
            {
                foreach (var probe in probes.Where(p => p.IsCompletedSuccessfully))
                {
                    await probe.Result.DisposeAsync();
                }
            }

            return;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            logger.LogInformation("Database {Database} does not exist; creating it", target.Database);
        }

        await CreateAsync(target, logger, cancellationToken);
    }

    private static async Task CreateAsync(NpgsqlConnectionStringBuilder target, ILogger logger, CancellationToken cancellationToken)
    {
        PostgresException? lastRefusal = null;
        foreach (var maintenance in MaintenanceDatabases)
        {
            var builder = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = maintenance };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.InvalidCatalogName
                                                   or PostgresErrorCodes.InvalidAuthorizationSpecification)
            {
                lastRefusal = ex;
                continue;
            }

            await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(target.Database!)}", connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
                logger.LogInformation("Created database {Database}", target.Database);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                logger.LogInformation("Database {Database} was created by another migrator at the same time", target.Database);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new DatabaseUnavailableException(
                    $"Database {target.Database} does not exist and role {target.Username} may not create it ({ex.SqlState}: {ex.MessageText}). " +
                    "Create it first (CREATE DATABASE ... OWNER ...), or grant the role CREATEDB.", ex);
            }

            return;
        }

        throw new DatabaseUnavailableException(
            $"Database {target.Database} does not exist and role {target.Username} cannot connect to a maintenance database " +
            $"({string.Join(" or ", MaintenanceDatabases)}) to create it ({lastRefusal?.SqlState}: {lastRefusal?.MessageText}). Create the database first.",
            lastRefusal);
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>The database cannot be reached or created; the message says why and what to do.</summary>
public sealed class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
