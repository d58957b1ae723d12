using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Drift;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Plan;
using WedSync.Migrations.Status;

namespace WedSync.Api.Features.Migrations;

/// <summary>
/// The migrator's request table as this build of the API expects it: the catalog and manifest
/// embedded in the migrator assembly (or those given, for tests), compared with the journal the migrator wrote.
/// GET /api/migrations and the console's Migrations page both read it here (<see cref="ReportAsync"/>,
/// <see cref="PlanAsync"/>), so the two cannot disagree.
/// </summary>
public sealed class MigrationCatalogStatus(NpgsqlDataSource dataSource, RequestManifest manifest, ScriptCatalog catalog)
{
    private static readonly ScriptCatalog EmbeddedCatalog = ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder);
    private static readonly RequestManifest EmbeddedManifest = RequestManifest.Embedded();

    public MigrationCatalogStatus(NpgsqlDataSource dataSource)
        : this(dataSource, EmbeddedManifest, EmbeddedCatalog)
    {
    }

    /// <summary>The request table without the schema comparison (the health check's cheap read).</summary>
    public async Task<MigrationStatusReport> ReadAsync(CancellationToken ct)
    {
        var journal = await new JournalStore(dataSource, NullLogger.Instance).ReadAsync(ct);
        return MigrationStatusCalculator.Calculate(catalog, manifest, journal);
    }

    /// <summary>
    /// The whole report GET /api/migrations answers: the request table and schemaDrift, the live schema
    /// against the fingerprint of the migrator's last successful <c>up</c>. The journal and the schema are
    /// platform data, read with the API's own login outside any tenant session: callers check the
    /// platform_admin role first.
    /// </summary>
    public async Task<MigrationStatusReport> ReportAsync(CancellationToken ct) =>
        await ReadAsync(ct) with { SchemaDrift = await SchemaFingerprintStore.CompareAsync(dataSource, ct) };

    /// <summary>
    /// The migrator's <c>plan</c> for the pending scripts, by request: statements, lint findings and the lock
    /// each takes on an existing table with its live size. Read-only (a rolled-back read-only transaction).
    /// </summary>
    public Task<IReadOnlyList<PlannedRequest>> PlanAsync(CancellationToken ct) =>
        MigrationPlanner.PlanAsync(dataSource, catalog, manifest, ct);
}
