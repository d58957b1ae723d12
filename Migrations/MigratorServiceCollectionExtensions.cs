using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace WedSync.Migrations;

public static class MigratorServiceCollectionExtensions
{
    public static IServiceCollection AddMigrator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MigratorOptions>().Bind(configuration.GetSection(MigratorOptions.SectionName));
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<MigratorCli>();
        return services;
    }
}
