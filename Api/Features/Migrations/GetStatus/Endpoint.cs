using FastEndpoints;
using WedSync.Api.Platform.Auth;
using WedSync.Api.Platform.Health;
using WedSync.Migrations.Status;

namespace WedSync.Api.Features.Migrations.GetStatus;

/// <summary>
/// The report's request table, produced by software: each request (WS-047 ...) complete, pending,
/// modified or missing file, and each script with when it ran, its checksum and duration.
/// The journal is platform data, not tenant data, so it is read outside the tenant session.
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
            s.Responses[StatusCodes.Status200OK] = "Every request and script with its state.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not a platform admin.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct) =>
        await Send.OkAsync(await status.ReadAsync(ct), ct);
}
