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
    public static async Task<ConsoleRlsList> ReadAsync(TenantSession session, CancellationToken ct)
    {
        var risks = await Rls.RlsData.ReadAsync(session, ct);
        var accepted = await Rls.RlsData.ReadAcceptedAsync(session, risks.Items.Where(r => r.RiskLevel != "LOW").ToList(), ct);
        return new ConsoleRlsList(risks, accepted);
    }
}
