using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;

namespace WedSync.Migrations;

/// <summary>How the migrator is put together from configuration, with or without a host around it.</summary>
public static class MigratorComposition
{
    /// <summary>What is wrong with the options, one message each (empty when they are usable).</summary>
    public static IReadOnlyList<string> Problems(MigratorOptions options)
    {
        var problems = new List<string>();
        if (options.LockTimeout <= TimeSpan.Zero || options.LockTimeout > MigratorConfiguration.LongestTimeout)
        {
            problems.Add($"Migrations:LockTimeout must be positive and at most {MigratorConfiguration.LongestTimeout} (was {options.LockTimeout}).");
        }

        if (options.CommandTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MigratorConfiguration.LongestTimeout))
        {
            problems.Add($"Migrations:CommandTimeout must be positive and at most {MigratorConfiguration.LongestTimeout} when set (was {timeout}).");
        }

        return problems;
    }

    public static MigrationEngine Engine(IConfiguration configuration, MigratorOptions options, ILoggerFactory loggerFactory)
    {
        var connectionString = MigratorConfiguration.ConnectionString(configuration);
        return new MigrationEngine(
            connectionString, ScriptCatalog.ForSchema(options.AdditionalScriptsPath), RequestManifest.EmbeddedOr(options.RequestManifestPath), options, loggerFactory);
    }

    public static MigratorCli Cli(MigrationEngine engine, ILoggerFactory loggerFactory) =>
        new(engine, loggerFactory.CreateLogger<MigratorCli>(), Console.Out);
}
