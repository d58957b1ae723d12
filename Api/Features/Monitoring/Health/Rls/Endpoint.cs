using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Health.Rls;

/// <summary>
/// Row-level security of every relation the request role can reach (tables, partitions, views,
/// materialized views, foreign tables, in any schema) and of every table of schema public, riskiest first.
/// </summary>
public sealed class Endpoint : MonitoringEndpoint<EmptyRequest, Response>
{
    private const string Sql = """
        SELECT schema_name, table_name, rls_enabled, rls_forced, policy_count, risk_level, relation_kind, request_role_has_privileges, reason
        FROM monitoring_rls_status
        ORDER BY CASE risk_level WHEN 'HIGH' THEN 0 WHEN 'MEDIUM' THEN 1 ELSE 2 END, schema_name, table_name
        """;

    public override void Configure()
    {
        Get("/monitoring/rls");
        Summary(s =>
        {
            s.Summary = "Row-level security per relation the request role reaches: risk HIGH, MEDIUM (no policy), LOW (platform admins)";
            s.Description = "HIGH: the request role (wedsync_user) reaches rows without row-level security: a table with RLS off, a partition granted directly, "
                + "a view running with its owner's rights, a materialized view, a foreign table, a table it owns without FORCE, or TRUNCATE; "
                + "tables of schema public with RLS off are HIGH even before a grant. reason says which.";
        });
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct) =>
        await Send.OkAsync(await ReadAsync(Session, ct), ct);

    /// <summary>Every relation's RLS risk, riskiest first, read in an open session; the operator console shows the same list.</summary>
    public static async Task<Response> ReadAsync(TenantSession session, CancellationToken ct)
    {
        var items = new List<TableRls>();
        await using (var command = session.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new TableRls(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3),
                    reader.GetInt32(4), reader.GetString(5), reader.GetString(6), reader.GetBoolean(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
            }
        }

        return new Response(items,
            items.Count(t => t.RiskLevel == "HIGH"), items.Count(t => t.RiskLevel == "MEDIUM"), items.Count(t => t.RiskLevel == "LOW"));
    }
}
