using Npgsql;

namespace WedSync.Migrations.Lint;

/// <summary>
/// Which of the tables scripts create IF NOT EXISTS the database has now: the lock rules treat those as existing
/// tables (<see cref="StatementLock.CreatesNew"/>). Resolved by the server (to_regclass, the session's search_path),
/// one round trip, and only when some script has such a table.
/// </summary>
public static class LiveTables
{
    /// <summary>The tables <paramref name="files"/> create IF NOT EXISTS, as written.</summary>
    public static IReadOnlyList<TableDefinition> Questions(IEnumerable<SqlScriptFile> files) =>
        files.SelectMany(f => f.CreatedTables).Where(t => t.IfNotExists && !t.IsTemporary).DistinctBy(t => t.Written).ToList();

    /// <summary>The normalized names of the <paramref name="questions"/> the database has.</summary>
    public static async Task<IReadOnlySet<string>> ExistingAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<TableDefinition> questions, CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        if (questions.Count == 0)
        {
            return existing;
        }

        await using var command = new NpgsqlCommand("SELECT n FROM unnest($1::text[]) n WHERE to_regclass(n) IS NOT NULL", connection, transaction);
        command.Parameters.AddWithValue(questions.Select(t => t.Written).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add(SqlNames.Normalize(reader.GetString(0)));
        }

        return existing;
    }

    public static async Task<IReadOnlySet<string>> ExistingAsync(NpgsqlDataSource dataSource, IReadOnlyList<TableDefinition> questions, CancellationToken cancellationToken)
    {
        if (questions.Count == 0)
        {
            return new HashSet<string>();
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ExistingAsync(connection, null, questions, cancellationToken);
    }
}
