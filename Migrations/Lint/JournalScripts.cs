using Npgsql;
using WedSync.Migrations.Journal;

namespace WedSync.Migrations.Lint;

/// <summary>
/// The scripts the journal of a configured database lists as applied: <c>lint --fix</c> must leave
/// them byte for byte (their checksum is recorded). A database never migrated has no journal.
/// </summary>
public static class JournalScripts
{
    public static async Task<IReadOnlySet<string>> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT script_name FROM {JournalStore.Table}", connection);
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // Never migrated: nothing is applied.
        }

        return names;
    }
}
