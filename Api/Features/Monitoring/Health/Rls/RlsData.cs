using NpgsqlTypes;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Health.Rls;

/// <summary>Row-level security per relation, read in an open session: GET /monitoring/rls and the console's RLS list.</summary>
public static class RlsData
{
    private const string Sql = """
        SELECT schema_name, table_name, rls_enabled, rls_forced, policy_count, risk_level, relation_kind, request_role_has_privileges, reason
        FROM monitoring_rls_status
        ORDER BY CASE risk_level WHEN 'HIGH' THEN 0 WHEN 'MEDIUM' THEN 1 ELSE 2 END, schema_name, table_name
        """;

    // One round trip for every listed relation, not a view scan: the function reads one comment each.
    private const string AcceptedSql = """
        SELECT s || '.' || t AS relation FROM unnest(@schemas, @tables) AS r(s, t)
        WHERE monitoring_rls_exception_accepted(s, t)
        """;

    /// <summary>Every relation's RLS risk, riskiest first.</summary>
    public static async Task<Response> ReadAsync(TenantSession session, CancellationToken ct)
    {
        var items = new List<TableRls>();
        await using (var command = session.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new TableRls(
                    reader.Get<string>("schema_name"),
                    reader.Get<string>("table_name"),
                    reader.Get<bool>("rls_enabled"),
                    reader.Get<bool>("rls_forced"),
                    reader.Get<int>("policy_count"),
                    reader.Get<string>("risk_level"),
                    reader.Get<string>("relation_kind"),
                    reader.Get<bool>("request_role_has_privileges"),
                    reader.GetOrNull<string>("reason")));
            }
        }

        return new Response(items,
            items.Count(t => t.RiskLevel == "HIGH"), items.Count(t => t.RiskLevel == "MEDIUM"), items.Count(t => t.RiskLevel == "LOW"));
    }

    /// <summary>"schema.table" of each of <paramref name="relations"/> whose risk the catalog accepts (an <c>advisor: allow rls_disabled</c> comment).</summary>
    public static async Task<IReadOnlySet<string>> ReadAcceptedAsync(TenantSession session, IReadOnlyCollection<TableRls> relations, CancellationToken ct)
    {
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        if (relations.Count == 0)
        {
            return accepted;
        }

        await using var command = session.CreateCommand(AcceptedSql);
        command.Parameters.AddWithValue("schemas", NpgsqlDbType.Array | NpgsqlDbType.Text, relations.Select(r => r.SchemaName).ToArray());
        command.Parameters.AddWithValue("tables", NpgsqlDbType.Array | NpgsqlDbType.Text, relations.Select(r => r.TableName).ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            accepted.Add(reader.Get<string>("relation"));
        }

        return accepted;
    }
}
