using FastEndpoints;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Health.Tables;

/// <summary>Per-table health (dead tuples, vacuum and analyze times, scans, size), sorted and paged.</summary>
public sealed class Endpoint : MonitoringEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/monitoring/tables");
        Summary(s =>
        {
            s.Summary = "Table health: dead tuples, vacuum/analyze, scans, size (platform admins)";
            s.Description = "sort=deadTuples|size|seqScans (descending); paged with page and pageSize (at most 100). "
                + "Sizes are estimated from pg_class.relpages (table, TOAST and indexes, as of the last VACUUM, ANALYZE or CREATE INDEX) so that a locked table "
                + "never holds the answer back. When the rows cannot be read now (Monitoring:ReadLockTimeout or ReadStatementTimeout hit) "
                + "the answer is 200 with no items, partial true and unavailable [\"tables\"].";
        });
    }

    protected override async Task HandleAsAdminAsync(Request req, CancellationToken ct) =>
        await Send.OkAsync(await TablesData.ReadAsync(Session, req, ct), ct);
}
