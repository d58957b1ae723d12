using Microsoft.Extensions.Logging;
using Npgsql;
using WedSync.Migrations.Catalog;

namespace WedSync.Migrations.Journal;

/// <summary>
/// The journal table beside DbUp's: per script its checksum, duration, who applied it and with which
/// migrator. It lives in its own schema so tenant-facing checks (RLS on every public table) ignore it.
/// </summary>
public sealed class JournalStore(NpgsqlDataSource dataSource, ILogger logger)
{
    public const string Schema = "wedsync_migrations";
    public const string Table = Schema + ".journal";
    public const string DbUpLegacyTable = "public.schemaversions";

    public async Task EnsureAsync(ScriptCatalog catalog, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand($"""
            CREATE SCHEMA IF NOT EXISTS {Schema};
            CREATE TABLE IF NOT EXISTS {Table} (
                script_name text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now(),
                checksum text NOT NULL,
                duration_ms integer,
                applied_by text NOT NULL,
                migrator_version text NOT NULL
            );
            """, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await TakeOverDbUpJournalAsync(connection, catalog, cancellationToken);
    }

    /// <summary>
    /// A database migrated by plain DbUp keeps its history: its names are imported once with the
    /// checksum of the script as embedded now (the only text we can know), nothing is re-run.
    /// </summary>
    private async Task TakeOverDbUpJournalAsync(NpgsqlConnection connection, ScriptCatalog catalog, CancellationToken cancellationToken)
    {
        await using var probe = new NpgsqlCommand(
            $"SELECT to_regclass('{DbUpLegacyTable}') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {Table})", connection);
        if (await probe.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return;
        }

        await using var read = new NpgsqlCommand($"SELECT scriptname, applied FROM {DbUpLegacyTable} ORDER BY schemaversionsid", connection);
        var legacy = new List<(string Name, DateTime Applied)>();
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                legacy.Add((reader.GetString(0), reader.GetDateTime(1)));
            }
        }

        foreach (var (name, applied) in legacy)
        {
            var shortName = ShortName(name);
            var checksum = catalog.Find(shortName) is { } script ? ScriptChecksum.Of(script.Contents) : "unknown";
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO {Table} (script_name, applied_at, checksum, applied_by, migrator_version)
                VALUES (@name, @applied, @checksum, 'dbup schemaversions import', @version)
                ON CONFLICT (script_name) DO NOTHING
                """, connection);
            insert.Parameters.AddWithValue("name", shortName);
            insert.Parameters.AddWithValue("applied", DateTime.SpecifyKind(applied, DateTimeKind.Utc));
            insert.Parameters.AddWithValue("checksum", checksum);
            insert.Parameters.AddWithValue("version", MigratorVersion.Current);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        logger.LogInformation("Took over {Count} scripts from DbUp's {LegacyTable}", legacy.Count, DbUpLegacyTable);
    }

    // DbUp names embedded scripts by their full resource name; the journal keeps the file name.
    private static string ShortName(string name)
    {
        var marker = $".{ScriptCatalog.SchemaFolder}.";
        var index = name.LastIndexOf(marker, StringComparison.Ordinal);
        return index >= 0 ? name[(index + marker.Length)..] : name;
    }

    public async Task<IReadOnlyList<JournalEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT script_name, applied_at, checksum, duration_ms, applied_by, migrator_version
            FROM {Table} ORDER BY script_name
            """);
        var entries = new List<JournalEntry>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add(new JournalEntry(
                    reader.GetString(0),
                    reader.GetFieldValue<DateTimeOffset>(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    reader.GetString(4),
                    reader.GetString(5)));
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // A database never migrated has no journal: everything is pending.
        }

        return entries;
    }

    public async Task<int> RecordChecksumAsync(string scriptName, string checksum, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"UPDATE {Table} SET checksum = @checksum WHERE script_name = @name AND checksum <> @checksum");
        command.Parameters.AddWithValue("name", scriptName);
        command.Parameters.AddWithValue("checksum", checksum);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
