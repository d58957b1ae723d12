using FastEndpoints;
using WedSync.Api.Features.Migrations;
using WedSync.Api.Platform.Auth;
using WedSync.Migrations.Status;

namespace WedSync.Api.Features.Migrations.GetStatus;

/// <summary>
/// The report's request table, produced by software: each request (WS-047 ...) complete, pending,
/// modified or missing file, and each script with when it ran, its checksum and duration.
/// The journal is platform data, not tenant data, so it is read outside the tenant session; so is
/// the live schema, compared with the migrator's last recorded fingerprint (schemaDrift). The console's
/// Migrations page shows the same report (MigrationCatalogStatus.ReportAsync).
/// </summary>
public sealed class Endpoint(MigrationCatalogStatus status) : EndpointWithoutRequest<MigrationStatusReport>
{
    public override void Configure()
    {
        Get("/migrations");
        Roles(ClaimNames.PlatformAdmin);
        Summary(s =>
        {
            s.Summary = "Migration status by request (platform admins)";
            s.Description = "The report's table, the same as the migrator's `status --json`: per request its title and request date "
                + "(from the request manifest), state (complete, pending, modified, missing file), whether it was applied by the latest "
                + "migrator run that applied scripts (this run, before, not applied) and whether every script file exists; per script "
                + "its state (applied, pending, modified, unknown, missing file), when and by whom it was applied, checksums, duration "
                + "and the lint rules `up --allow` overrode for it; schemaDrift lists every object added, changed or dropped outside migrations.";
            s.Responses[StatusCodes.Status200OK] =
                "Every request and script with its state, and schemaDrift: every object added, changed or dropped outside migrations since the last successful run.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not a platform admin.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync(await status.ReportAsync(ct), ct);
}
