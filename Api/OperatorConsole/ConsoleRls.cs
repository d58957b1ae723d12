using NpgsqlTypes;
using WedSync.Api.Platform.Tenancy;
using Rls = WedSync.Api.Features.Monitoring.Health.Rls;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// The RLS risk list of GET /api/monitoring/rls, plus which of its HIGH and MEDIUM relations the catalog
/// accepts (an <c>advisor: allow rls_disabled</c> comment, monitoring_rls_exception_accepted): those cost
/// the health score nothing, so the page shows them apart and only the others turn it red.
/// </summary>
public sealed record ConsoleRlsList(Rls.Response Risks, IReadOnlySet<string> Accepted)
{
    /// <summary>"schema.table", the key of <see cref="Accepted"/>.</summary>
    public static string Key(Rls.TableRls relation) => $"{relation.SchemaName}.{relation.TableName}";

    public bool IsAccepted(Rls.TableRls relation) => Accepted.Contains(Key(relation));

    /// <summary>Relations at HIGH risk that nobody accepted: each one lets tenants reach each other's rows.</summary>
    public IReadOnlyList<Rls.TableRls> OpenHigh => Risks.Items.Where(r => r.RiskLevel == "HIGH" && !IsAccepted(r)).ToList();

    public IReadOnlyList<Rls.TableRls> OpenMedium => Risks.Items.Where(r => r.RiskLevel == "MEDIUM" && !IsAccepted(r)).ToList();

    public IReadOnlyList<Rls.TableRls> AcceptedRisks => Risks.Items.Where(IsAccepted).ToList();
}

public static class ConsoleRls
{
    // One round trip for every listed relation, not a view scan: the function reads one comment each.
    private const string AcceptedSql = """
        SELECT s || '.' || t FROM unnest(@schemas, @tables) AS r(s, t)
        WHERE monitoring_rls_exception_accepted(s, t)
        """;

    public static async Task<ConsoleRlsList> ReadAsync(TenantSession session, CancellationToken ct)
    {
        var risks = await Rls.Endpoint.ReadAsync(session, ct);
        var flagged = risks.Items.Where(r => r.RiskLevel != "LOW").ToList();
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        if (flagged.Count > 0)
        {
            await using var command = session.CreateCommand(AcceptedSql);
            command.Parameters.AddWithValue("schemas", NpgsqlDbType.Array | NpgsqlDbType.Text, flagged.Select(r => r.SchemaName).ToArray());
            command.Parameters.AddWithValue("tables", NpgsqlDbType.Array | NpgsqlDbType.Text, flagged.Select(r => r.TableName).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                accepted.Add(reader.GetString(0));
            }
        }

        return new ConsoleRlsList(risks, accepted);
    }
}
