using Microsoft.Extensions.Configuration;

namespace WedSync.AppHost.Postgres;

/// <summary>Chooses where the WedSync database comes from, so Program.cs stays the architecture diagram.</summary>
public static class WedSyncPostgresExtensions
{
    // The container image is pinned: a floating tag would change the server under the team's feet.
    private const string ContainerImageTag = "17.6";

    public static IResourceBuilder<IResourceWithConnectionString> AddWedSyncPostgres(
        this IDistributedApplicationBuilder builder, string serverName, string databaseName)
    {
        var settings = PostgresSettings.From(builder.Configuration);
        var mode = ResolveMode(builder, settings, out var binaries);

        if (mode == PostgresMode.External)
        {
            // ConnectionStrings:<database> supplies the server (Azure Database for PostgreSQL, RDS, Supabase...).
            return builder.AddConnectionString(databaseName);
        }

        var password = builder.AddParameter(
            $"{serverName}-password",
            new GenerateParameterDefault { MinLength = 24, Special = false },
            secret: true,
            persist: true);

        if (mode == PostgresMode.Container)
        {
            var database = builder.AddPostgres(serverName, password: password)
                .WithImageTag(ContainerImageTag)
                .WithDataVolume()
                .WithArgs("-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all", "-c", "max_prepared_transactions=10")
                .AddDatabase(databaseName);
            return builder.CreateResourceBuilder<IResourceWithConnectionString>(database.Resource);
        }

        var dataPath = LocalPostgresDataDirectory.Resolve(settings.DataPath, builder.AppHostDirectory);
        var local = builder.AddLocalPostgres(serverName, databaseName, password, binaries!, dataPath);
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(local.Resource);
    }

    public static PostgresMode ResolveMode(
        IDistributedApplicationBuilder builder, PostgresSettings settings, out LocalPostgresBinaries? binaries)
    {
        binaries = null;
        var publishing = builder.ExecutionContext.IsPublishMode;
        switch (settings.Mode)
        {
            case PostgresMode.External:
                return PostgresMode.External;
            case PostgresMode.Container:
                return PostgresMode.Container;
            case PostgresMode.Local when publishing:
                // A deployment cannot carry this machine's binaries: publish the container instead.
                return PostgresMode.Container;
            case PostgresMode.Local:
                binaries = LocalPostgresBinaries.Find(settings.BinPath)
                    ?? throw new DistributedApplicationException(LocalPostgresBinaries.InstallHint);
                return PostgresMode.Local;
        }

        if (publishing || ContainerRuntimeProbe.Answers(TimeSpan.FromSeconds(3)))
        {
            return PostgresMode.Container;
        }

        binaries = LocalPostgresBinaries.Find(settings.BinPath);
        return binaries is not null
            ? PostgresMode.Local
            : throw new DistributedApplicationException(LocalPostgresBinaries.InstallHint);
    }
}
