using FastEndpoints;
using Microsoft.Extensions.Options;
using WedSync.Api.Features.Monitoring.Shared;

namespace WedSync.Api.Features.Monitoring.Sessions.Locks;

/// <summary>
/// Who blocks whom now, server-wide: every session waiting for a heavyweight lock, every session it
/// waits for (pg_blocking_pids), for how long and with what statement (monitoring_redact_query).
/// </summary>
public sealed class Endpoint(TimeProvider time, IOptions<MonitoringOptions> options) : MonitoringEndpoint<EmptyRequest, Response>
{
    public override void Configure()
    {
        Get("/monitoring/locks");
        Summary(s =>
        {
            s.Summary = "Blocking tree: who blocks whom, for how long, with what statement (platform admins)";
            s.Description = "Sessions waiting for a lock and the sessions they wait for (pg_blocking_pids), server-wide. "
                + "rootBlockers are the sessions at the top of a chain: cancelling or terminating one (POST /api/monitoring/sessions/{pid}/cancel|terminate) releases its waiters. "
                + "Every holder is named with its kind and the actions that apply: a prepared transaction (pid 0, no backend) by its gid from pg_prepared_xacts, "
                + "with ROLLBACK PREPARED (POST /api/monitoring/prepared-transactions/rollback) and orphan when older than Monitoring:PreparedTransactionOrphanAge; "
                + "autovacuum workers, walsenders, parallel workers (with their leader) and sessions of other databases with what to do instead of a signal. "
                + "Statements are redacted (credentials) and truncated to 500 characters. Empty lists when nothing waits.";
        });
    }

    protected override async Task HandleAsAdminAsync(EmptyRequest req, CancellationToken ct) =>
        await Send.OkAsync(await BlockingTree.ReadAsync(Session, time, options.Value.PreparedTransactionOrphanAge, ct), ct);
}
