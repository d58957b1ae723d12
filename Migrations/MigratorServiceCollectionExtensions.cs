using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WedSync.Migrations.Cli;

namespace WedSync.Migrations;

public static class MigratorServiceCollectionExtensions
{
    /// <summary>The migrator inside a host (the run with telemetry: see Program.cs).</summary>
    public static IServiceCollection AddMigrator(this IServiceCollection services, IConfiguration configuration)
    {
        // Bound and checked once, as the run without a host does (MigratorConfiguration.Options throws a
        // MigratorConfigurationException naming every problem: exit 2).
        services.AddSingleton(sp => MigratorComposition.Engine(
            configuration, MigratorConfiguration.Options(configuration), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => MigratorComposition.Cli(sp.GetRequiredService<Engine.MigrationEngine>(), sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
