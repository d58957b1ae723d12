using Npgsql;

namespace WedSync.Api.Platform.Database;

/// <summary>
/// Reads a column of the current row by its name, so a mapper shared by several queries does not depend
/// on where a query puts its columns. Npgsql keeps a name index per result shape, so a lookup is one
/// dictionary hit (bench/RESULTS.md, issue 26).
/// </summary>
public static class NamedColumns
{
    public static T Get<T>(this NpgsqlDataReader reader, string column) =>
        reader.GetFieldValue<T>(reader.GetOrdinal(column));

    /// <summary>A reference-type column that may be NULL.</summary>
    public static T? GetOrNull<T>(this NpgsqlDataReader reader, string column)
        where T : class
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
    }

    /// <summary>A value-type column that may be NULL.</summary>
    public static T? GetNullable<T>(this NpgsqlDataReader reader, string column)
        where T : struct
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
    }

    public static bool IsNull(this NpgsqlDataReader reader, string column) =>
        reader.IsDBNull(reader.GetOrdinal(column));
}
