using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WedSync.Migrations;

/// <summary>Applies the catalog with DbUp, one transaction per script.</summary>
public sealed class MigrationRunner(IConfiguration configuration, IOptions<MigratorOptions> options, ILoggerFactory loggerFactory)
{
    private readonly ILogger logger = loggerFactory.CreateLogger<MigrationRunner>();

    public string ConnectionString =>
        configuration.GetConnectionString(MigratorOptions.ConnectionStringName)
        ?? throw new InvalidOperationException(
            $"ConnectionStrings:{MigratorOptions.ConnectionStringName} is not set (environment: ConnectionStrings__{MigratorOptions.ConnectionStringName}).");

    public bool Up()
    {
        EnsureDatabase.For.PostgresqlDatabase(ConnectionString, new DbUp.Engine.Output.NoOpUpgradeLog());
        var result = Apply(ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder).Scripts, journaled: true);
        if (!result.Successful)
        {
            return false;
        }

        if (options.Value.SeedDemoData)
        {
            logger.LogInformation("Applying Development demo data");
            return Apply(ScriptCatalog.Embedded(ScriptCatalog.DemoDataFolder).Scripts, journaled: false).Successful;
        }

        return true;
    }

    private DatabaseUpgradeResult Apply(IEnumerable<SqlScript> scripts, bool journaled)
    {
        var engineBuilder = DeployChanges.To.PostgresqlDatabase(ConnectionString)
            .WithScripts(scripts)
            .WithTransactionPerScript()
            .LogTo(loggerFactory);
        if (!journaled)
        {
            engineBuilder = engineBuilder.JournalTo(new DbUp.Helpers.NullJournal());
        }

        var result = engineBuilder.Build().PerformUpgrade();
        if (!result.Successful)
        {
            logger.LogError(result.Error, "Migration failed in script {Script}", result.ErrorScript?.Name);
        }

        return result;
    }
}
