using Microsoft.Extensions.Diagnostics.HealthChecks;
using WedSync.Api.Features.Migrations;
using WedSync.Migrations.Status;

namespace WedSync.Api.Platform.Health;

/// <summary>
/// Ready only when the database holds exactly the catalog this API was built against: a pending,
/// modified or missing migration means the API would run on a schema it does not know.
/// </summary>
public sealed class MigrationsAppliedHealthCheck(MigrationCatalogStatus status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await status.ReadAsync(cancellationToken);
        if (report.IsClean)
        {
            return HealthCheckResult.Healthy();
        }

        // Names of requests only: /health is public and must not describe the schema further.
        var open = report.Requests.Where(r => r.State != RequestState.Complete).Select(r => r.RequestId);
        return new HealthCheckResult(context.Registration.FailureStatus, $"Migrations not complete: {string.Join(", ", open)}");
    }
}
