using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Rls;

/// <summary>Row-level security of every table of schema public, riskiest first.</summary>
public sealed class Endpoint : MonitoringEndpoint<EmptyRequest, Response>
{
    private const string Sql = """
        SELECT schema_name, table_name, rls_enabled, rls_forced, policy_count, risk_level
        FROM monitoring_rls_status
        ORDER BY CASE risk_level WHEN 'HIGH' THEN 0 WHEN 'MEDIUM' THEN 1 ELSE 2 END, schema_name, table_name
        """;

    public override void Configure()
    {
        Get("/monitoring/rls");
        Summary(s => s.Summary = "Row-level security per table: risk HIGH (off), MEDIUM (no policy), LOW (platform admins)");
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct)
    {
        var items = new List<TableRls>();
        await using (var command = Session.CreateCommand(Sql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new TableRls(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3),
                    reader.GetInt32(4), reader.GetString(5)));
            }
        }

        await Send.OkAsync(new Response(items,
            items.Count(t => t.RiskLevel == "HIGH"), items.Count(t => t.RiskLevel == "MEDIUM"), items.Count(t => t.RiskLevel == "LOW")), ct);
    }
}
