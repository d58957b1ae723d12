using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Schema.Catalog;

/// <summary>Catalog queries return names; this reads the first column of every row, as the owner.</summary>
public static class CatalogQuery
{
    public static List<string> QueryStrings(this AppHostFixture fixture, string sql)
    {
        using var connection = fixture.OpenDatabase();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
