using Npgsql;
using WedSync.Migrations.Journal;

namespace WedSync.Migrations.Drift;

/// <summary>
/// The recorded fingerprint, in the migrator's journal schema: <c>schema_objects</c> (one row per
/// object) and <c>schema_fingerprint</c> (one row: when, by which migrator, how many objects).
/// <see cref="RecordAsync"/> replaces both in one transaction, so a reader sees the whole previous
/// fingerprint or the whole new one, never half of each.
/// </summary>
public static class SchemaFingerprintStore
{
    public const string ObjectsTable = JournalStore.Schema + ".schema_objects";
    public const string FingerprintTable = JournalStore.Schema + ".schema_fingerprint";

    private static readonly string[] EnsureSql =
    [
        $"CREATE SCHEMA IF NOT EXISTS {JournalStore.Schema}",
        $"""
        CREATE TABLE IF NOT EXISTS {ObjectsTable} (
            kind text NOT NULL,
            name text NOT NULL,
            hash text NOT NULL,
            definition text NOT NULL,
            PRIMARY KEY (kind, name)
        )
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {FingerprintTable} (
            id boolean PRIMARY KEY DEFAULT true CHECK (id),
            recorded_at timestamptz NOT NULL,
            object_count integer NOT NULL,
            migrator_version text NOT NULL
        )
        """,
    ];

    /// <summary>
    /// Records the live schema as the fingerprint, computed and written by the server in one statement
    /// set of one transaction (the caller holds the migration lock, so no other run interleaves).
    /// Returns the number of objects recorded.
    /// </summary>
    public static async Task<int> RecordAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var sql in EnsureSql)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        }

        foreach (var command in new[]
            {
                new NpgsqlBatchCommand(SchemaFingerprint.PinSearchPathSql),
                // Only what changed is written: a run that changed nothing leaves no dead rows behind (a
                // DELETE of every row per run was a table mostly dead, which the advisor's needs_vacuum
                // flags), and readers keep MVCC (TRUNCATE would show a concurrent reader an empty table).
                // One statement: its parts share one snapshot of the catalog, and the live schema is read
                // once, with no temporary table to create (that cost more than the reading).
                new NpgsqlBatchCommand($"""
                    WITH live AS MATERIALIZED (
                        SELECT kind, name, md5(coalesce(definition, '')) AS hash, coalesce(definition, '') AS definition
                        FROM ({SchemaFingerprint.Sql}) f
                    ), gone AS (
                        DELETE FROM {ObjectsTable} o
                        WHERE NOT EXISTS (SELECT 1 FROM live l WHERE l.kind = o.kind AND l.name = o.name)
                    ), changed AS (
                        INSERT INTO {ObjectsTable} AS o (kind, name, hash, definition)
                        SELECT kind, name, hash, definition FROM live
                        ON CONFLICT (kind, name) DO UPDATE SET hash = excluded.hash, definition = excluded.definition
                        WHERE o.hash IS DISTINCT FROM excluded.hash OR o.definition IS DISTINCT FROM excluded.definition
                    )
                    INSERT INTO {FingerprintTable} (recorded_at, object_count, migrator_version)
                    SELECT pg_catalog.now(), count(*), $1 FROM live
                    ON CONFLICT (id) DO UPDATE SET recorded_at = excluded.recorded_at,
                        object_count = excluded.object_count, migrator_version = excluded.migrator_version
                    """)
                {
                    Parameters = { new NpgsqlParameter { Value = MigratorVersion.Current } },
                },
            })
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await using var counted = new NpgsqlCommand($"SELECT object_count FROM {FingerprintTable}", connection, transaction);
        var count = (int)(await counted.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>The live schema compared with the recorded fingerprint, read in one read-only transaction.</summary>
    public static async Task<SchemaDriftReport> CompareAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await CompareAsync(connection, cancellationToken);
    }

    /// <inheritdoc cref="CompareAsync(NpgsqlDataSource, CancellationToken)"/>
    public static async Task<SchemaDriftReport> CompareAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using (var pin = new NpgsqlCommand($"SET TRANSACTION READ ONLY; {SchemaFingerprint.PinSearchPathSql}", connection, transaction))
        {
            await pin.ExecuteNonQueryAsync(cancellationToken);
        }

        DateTimeOffset? recordedAt;
        await using (var probe = new NpgsqlCommand($"SELECT to_regclass('{FingerprintTable}') IS NOT NULL", connection, transaction))
        {
            recordedAt = null;
            if (await probe.ExecuteScalarAsync(cancellationToken) is true)
            {
                await using var read = new NpgsqlCommand($"SELECT recorded_at FROM {FingerprintTable}", connection, transaction);
                recordedAt = await read.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
            }
        }

        if (recordedAt is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new SchemaDriftReport(null, []);
        }

        var recorded = new List<SchemaObject>();
        await using (var read = new NpgsqlCommand($"SELECT kind, name, hash, definition FROM {ObjectsTable}", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded.Add(new SchemaObject(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        var live = await SchemaFingerprint.ReadAsync(connection, transaction, cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
        return new SchemaDriftReport(recordedAt, SchemaDriftComparer.Compare(recorded, live));
    }
}
