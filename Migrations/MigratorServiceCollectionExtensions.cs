using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WedSync.Migrations.Cli;

namespace WedSync.Migrations;

public static class MigratorServiceCollectionExtensions
{
    /// <summary>The migrator inside a host (the run with telemetry: see Program.cs).</summary>
    public static IServiceCollection AddMigrator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MigratorOptions>()
            .Bind(configuration.GetSection(MigratorOptions.SectionName))
            .Validate(o => MigratorComposition.Problems(o).Count == 0, "Migrations:LockTimeout must be positive, and Migrations:CommandTimeout too when set.")
            .ValidateOnStart();

        services.AddSingleton(sp => MigratorComposition.Engine(
            configuration, sp.GetRequiredService<IOptions<MigratorOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => MigratorComposition.Cli(sp.GetRequiredService<Engine.MigrationEngine>(), sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
