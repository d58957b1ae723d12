using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api.Support;

/// <summary>Reads rows as the owner sees them (no RLS), to prove what a request did or did not change.</summary>
public static class DatabaseRows
{
    public static async Task<string?> RowTextAsync(this AppHostFixture fixture, string table, Guid id)
    {
        await using var connection = fixture.OpenDatabase();
        // The table name comes from the tests themselves, never from input.
        await using var command = new NpgsqlCommand($"SELECT t::text FROM {table} t WHERE t.id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return (string?)await command.ExecuteScalarAsync();
    }

    /// <summary>A fingerprint of every row of the tenant tables the API can write.</summary>
    public static async Task<string> TenantTablesFingerprintAsync(this AppHostFixture fixture)
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) || ':' || coalesce(md5(string_agg(o::text, '|' ORDER BY o.id)), '') FROM organizations o)
                || '/' ||
                   (SELECT count(*) || ':' || coalesce(md5(string_agg(p::text, '|' ORDER BY p.id)), '') FROM user_profiles p)
            """,
            connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
