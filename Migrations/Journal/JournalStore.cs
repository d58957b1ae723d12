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

    /// <summary>
    /// Creates the journal when missing and imports DbUp's <c>schemaversions</c> into it, in one
    /// transaction: a crash part-way leaves no journal (and the next run starts the import over), never
    /// half an import that would make the rest of DbUp's history look pending.
    /// </summary>
    public async Task EnsureAsync(ScriptCatalog catalog, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var probe = new NpgsqlCommand($"SELECT to_regclass('{Table}') IS NOT NULL", connection))
        {
            if (await probe.ExecuteScalarAsync(cancellationToken) is true)
            {
                await UpgradeAsync(connection, cancellationToken);
                return;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand($"""
            CREATE SCHEMA IF NOT EXISTS {Schema};
            CREATE TABLE IF NOT EXISTS {Table} (
                script_name text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now(),
                checksum text NOT NULL,
                duration_ms integer,
                applied_by text NOT NULL,
                migrator_version text NOT NULL,
                run_id uuid,
                allowed_lint_rules text[] NOT NULL DEFAULT ARRAY[]::text[]
            );
            """, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await TakeOverDbUpJournalAsync(connection, transaction, catalog, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Brings a journal written by an earlier migrator up to this one's columns: the run that applied each
    /// script and the lint rules <c>up --allow</c> overrode for it. Added only when missing (a no-op on an
    /// upgraded journal: no ALTER, no lock), nullable or with a constant default (no table rewrite), so an
    /// earlier migrator can still write its rows and old rows read as "before run ids, nothing allowed".
    /// Runs under the migration lock, so two migrators never race on it.
    /// </summary>
    private static async Task UpgradeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var missing = new NpgsqlCommand($"""
            SELECT count(*) FILTER (WHERE a.attname IS NULL)
            FROM unnest(ARRAY['run_id', 'allowed_lint_rules']) AS wanted(name)
            LEFT JOIN pg_catalog.pg_attribute a
                   ON a.attrelid = '{Table}'::regclass AND a.attname = wanted.name AND NOT a.attisdropped
            """, connection);
        if (await missing.ExecuteScalarAsync(cancellationToken) is 0L)
        {
            return;
        }

        await using var alter = new NpgsqlCommand($"""
            ALTER TABLE {Table}
                ADD COLUMN IF NOT EXISTS run_id uuid,
                ADD COLUMN IF NOT EXISTS allowed_lint_rules text[] NOT NULL DEFAULT ARRAY[]::text[]
            """, connection);
        await alter.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A database migrated by plain DbUp keeps its history: its names are imported once with the
    /// checksum of the script as embedded now (the only text we can know), nothing is re-run.
    /// </summary>
    private async Task TakeOverDbUpJournalAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ScriptCatalog catalog, CancellationToken cancellationToken)
    {
        await using var probe = new NpgsqlCommand(
            $"SELECT to_regclass('{DbUpLegacyTable}') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {Table})", connection, transaction);
        if (await probe.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return;
        }

        await using var read = new NpgsqlCommand($"SELECT scriptname, applied FROM {DbUpLegacyTable} ORDER BY schemaversionsid", connection, transaction);
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
                VALUES ($1, $2, $3, 'dbup schemaversions import', $4)
                ON CONFLICT (script_name) DO NOTHING
                """, connection, transaction);
            insert.Parameters.AddWithValue(shortName);
            insert.Parameters.AddWithValue(DateTime.SpecifyKind(applied, DateTimeKind.Utc));
            insert.Parameters.AddWithValue(checksum);
            insert.Parameters.AddWithValue(MigratorVersion.Current);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        logger.LogInformation("Took over {Count} scripts from DbUp's {LegacyTable}", legacy.Count, DbUpLegacyTable);
    }

    /// <summary>
    /// The journal row of a script, as a batch command to run in the script's own transaction (or, for a
    /// no-transaction script, after its last statement). <c>now()</c> is the transaction's start.
    /// </summary>
    public static NpgsqlBatchCommand InsertCommand(
        SqlScript script, string appliedBy, DateTimeOffset? startedAt = null, Guid? runId = null, IReadOnlyList<string>? allowedLintRules = null)
    {
        // A versioned script's row is new or the run fails (a second run of it); a repeatable or run-always
        // script's row is replaced by its latest run, whose checksum says which text the database holds.
        var rerun = script.Kind == ScriptKind.Versioned ? "" : """
             ON CONFLICT (script_name) DO UPDATE SET applied_at = EXCLUDED.applied_at, checksum = EXCLUDED.checksum,
                duration_ms = EXCLUDED.duration_ms, applied_by = EXCLUDED.applied_by, migrator_version = EXCLUDED.migrator_version,
                run_id = EXCLUDED.run_id, allowed_lint_rules = EXCLUDED.allowed_lint_rules
            """;
        var command = new NpgsqlBatchCommand($"""
            INSERT INTO {Table} (script_name, applied_at, checksum, duration_ms, applied_by, migrator_version, run_id, allowed_lint_rules)
            VALUES ($1, coalesce($2, pg_catalog.now()),  $3,
                    (extract(epoch FROM pg_catalog.clock_timestamp() - coalesce($2, pg_catalog.now())) * 1000)::integer, $4, $5, $6, $7)
            """ + rerun);
        command.Parameters.AddWithValue(script.Name);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)startedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.AddWithValue(ScriptChecksum.Of(script.Contents));
        command.Parameters.AddWithValue(appliedBy);
        command.Parameters.AddWithValue(MigratorVersion.Current);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (allowedLintRules ?? []).Order(StringComparer.Ordinal).ToArray(),
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        });
        return command;
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
        // The newer columns are read through to_jsonb, so a journal an earlier migrator wrote (and that no
        // up of this one has upgraded yet) reads too: without them, as "no run id, nothing allowed".
        await using var command = dataSource.CreateCommand($"""
            SELECT script_name, applied_at, checksum, duration_ms, applied_by, migrator_version,
                   (to_jsonb(j) ->> 'run_id')::uuid,
                   ARRAY(SELECT jsonb_array_elements_text(coalesce(to_jsonb(j) -> 'allowed_lint_rules', '[]')))
            FROM {Table} j ORDER BY script_name
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
                    reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetGuid(6),
                    reader.GetFieldValue<string[]>(7)));
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // A database never migrated has no journal: everything is pending.
        }

        return entries;
    }

    /// <summary>Records new checksums for several scripts, and renamed scripts' new names, in one transaction: all of them or none.</summary>
    public async Task RecordChecksumsAsync(
        IReadOnlyList<(string ScriptName, string Checksum)> changes, IReadOnlyList<(string OldName, string NewName)> renames, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (scriptName, checksum) in changes)
        {
            var command = new NpgsqlBatchCommand($"UPDATE {Table} SET checksum = $2 WHERE script_name = $1 AND checksum <> $2");
            command.Parameters.AddWithValue(scriptName);
            command.Parameters.AddWithValue(checksum);
            batch.BatchCommands.Add(command);
        }

        foreach (var (oldName, newName) in renames)
        {
            var command = new NpgsqlBatchCommand($"UPDATE {Table} SET script_name = $2 WHERE script_name = $1");
            command.Parameters.AddWithValue(oldName);
            command.Parameters.AddWithValue(newName);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
