using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Journal;
using WedSync.Migrations.Status;

namespace WedSync.Api.Platform.Health;

/// <summary>
/// The migrator's request table as this build of the API expects it: the catalog and manifest
/// embedded in the migrator assembly (or those given, for tests), compared with the journal the migrator wrote.
/// </summary>
public sealed class MigrationCatalogStatus(NpgsqlDataSource dataSource, RequestManifest manifest, ScriptCatalog catalog)
{
    private static readonly ScriptCatalog EmbeddedCatalog = ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder);
    private static readonly RequestManifest EmbeddedManifest = RequestManifest.Embedded();

    public MigrationCatalogStatus(NpgsqlDataSource dataSource)
        : this(dataSource, EmbeddedManifest, EmbeddedCatalog)
    {
    }

    public async Task<MigrationStatusReport> ReadAsync(CancellationToken ct)
    {
        var journal = await new JournalStore(dataSource, NullLogger.Instance).ReadAsync(ct);
        return MigrationStatusCalculator.Calculate(catalog, manifest, journal);
    }
}
