using Npgsql;

namespace WedSync.Tests.Schema.Isolation;

/// <summary>
/// The tenant relations, discovered from the database rather than listed: every table and view
/// of schema public with an organization_id column. A new tenant table is tested the day it lands.
/// </summary>
public static class TenantCatalog
{
    public static IReadOnlyList<string> Tables(NpgsqlConnection owner) => WithOrganizationId(owner, "'r', 'p'");

    public static IReadOnlyList<string> Views(NpgsqlConnection owner) => WithOrganizationId(owner, "'v', 'm'");

    /// <summary>A column the request role may update, to test RLS rather than the grants; null when there is none.</summary>
    public static string? UpdatableColumn(NpgsqlConnection owner, string table)
    {
        using var command = new NpgsqlCommand("""
            SELECT a.attname::text
            FROM pg_attribute a
            WHERE a.attrelid = to_regclass(@table) AND a.attnum > 0 AND NOT a.attisdropped
              AND has_column_privilege(@role::name, a.attrelid, a.attnum, 'UPDATE')
            ORDER BY a.attname IN ('id', 'organization_id'), a.attnum
            LIMIT 1
            """, owner);
        command.Parameters.AddWithValue("table", $"public.{table}");
        command.Parameters.AddWithValue("role", RequestRoleSession.RequestRole);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Row count and a digest of the organization's rows in each table, read as the owner.</summary>
    public static IReadOnlyDictionary<string, string> Snapshot(NpgsqlConnection owner, IEnumerable<string> tables, Guid organizationId) =>
        tables.ToDictionary(table => table, table =>
        {
            using var command = new NpgsqlCommand(
                $"SELECT count(*) || ' row(s), ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM public.{Quote(table)} t WHERE t.organization_id = @org",
                owner);
            command.Parameters.AddWithValue("org", organizationId);
            return (string)command.ExecuteScalar()!;
        });

    public static long CountAsOwner(NpgsqlConnection owner, string relation, Guid organizationId)
    {
        using var command = new NpgsqlCommand($"SELECT count(*) FROM public.{Quote(relation)} WHERE organization_id = @org", owner);
        command.Parameters.AddWithValue("org", organizationId);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Names come from pg_class, but are quoted anyway: they end up inside SQL text.</summary>
    public static string Quote(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static List<string> WithOrganizationId(NpgsqlConnection owner, string kinds)
    {
        using var command = new NpgsqlCommand($"""
            SELECT c.relname::text
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
            WHERE n.nspname = 'public' AND c.relkind IN ({kinds})
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e')
            ORDER BY 1
            """, owner);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
