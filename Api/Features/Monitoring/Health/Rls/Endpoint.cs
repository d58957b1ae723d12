using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Health.Rls;

/// <summary>
/// Row-level security of every relation the request role can reach (tables, partitions, views,
/// materialized views, foreign tables, in any schema) and of every table of schema public, riskiest first.
/// </summary>
public sealed class Endpoint : MonitoringEndpoint<EmptyRequest, Response>
{
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
        await Send.OkAsync(await RlsData.ReadAsync(Session, ct), ct);
}
