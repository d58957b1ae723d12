using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WedSync.Migrations.Catalog;
using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;

namespace WedSync.Migrations;

public static class MigratorServiceCollectionExtensions
{
    public static IServiceCollection AddMigrator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MigratorOptions>()
            .Bind(configuration.GetSection(MigratorOptions.SectionName))
            .Validate(o => o.LockTimeout > TimeSpan.Zero, "Migrations:LockTimeout must be positive.")
            .Validate(o => o.CommandTimeout is null || o.CommandTimeout > TimeSpan.Zero, "Migrations:CommandTimeout must be positive when set.")
            .ValidateOnStart();

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MigratorOptions>>().Value;
            var connectionString = configuration.GetConnectionString(MigratorOptions.ConnectionStringName) is { Length: > 0 } configured
                ? configured
                : throw new MigratorConfigurationException(
                    $"ConnectionStrings:{MigratorOptions.ConnectionStringName} is not set (environment: ConnectionStrings__{MigratorOptions.ConnectionStringName}).");
            return new MigrationEngine(
                connectionString,
                ScriptCatalog.ForSchema(options.AdditionalScriptsPath),
                RequestManifest.Embedded(),
                options,
                sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton(sp => new MigratorCli(
            sp.GetRequiredService<MigrationEngine>(), sp.GetRequiredService<ILogger<MigratorCli>>(), Console.Out));
        return services;
    }
}
