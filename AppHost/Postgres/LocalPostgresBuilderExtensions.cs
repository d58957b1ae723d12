using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace WedSync.AppHost.Postgres;

/// <summary>Runs the machine's own PostgreSQL server binaries as an executable resource.</summary>
internal static class LocalPostgresBuilderExtensions
{
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder,
        string serverName,
        string databaseName,
        IResourceBuilder<ParameterResource> password,
        LocalPostgresBinaries binaries,
        string dataPath)
    {
        var dataDirectory = new LocalPostgresDataDirectory(binaries, dataPath);

        // As root the server is exec'd through setpriv, so the AppHost's stop signal reaches the
        // postmaster itself and no intermediate process can leave it orphaned.
        var (command, prefix) = OsUser.IsRoot
            ? ("setpriv", new[] { $"--reuid={OsUser.PostgresAccount}", $"--regid={OsUser.PostgresAccount}", "--init-groups", "--", binaries.Postgres })
            : (binaries.Postgres, Array.Empty<string>());

        var server = new LocalPostgresServerResource(serverName, command, dataDirectory.Path, password.Resource);
        var serverHealthKey = $"{serverName}_ready";
        var serverBuilder = builder.AddResource(server)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp", env: "PGPORT")
            .WithArgs(prefix)
            .WithArgs(
                "-D", dataDirectory.Path,
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
                "-c", "password_encryption=scram-sha-256",
                "-c", "shared_preload_libraries=pg_stat_statements",
                "-c", "pg_stat_statements.track=all",
                // Two-phase commit on, so a prepared transaction left open can be seen and rolled back (monitoring).
                "-c", "max_prepared_transactions=10")
            .WithHealthCheck(serverHealthKey)
            .WithIconName("DatabaseStack");

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            serverHealthKey, _ => new PostgresReadyHealthCheck(server), failureStatus: null, tags: null));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            var secret = await password.Resource.GetValueAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The parameter '{password.Resource.Name}' has no value.");
            await dataDirectory.StopOrphanAsync(logger, cancellationToken);
            await dataDirectory.EnsureInitializedAsync(secret, logger, cancellationToken);
        });

        var database = new LocalPostgresDatabaseResource(databaseName, databaseName, server);
        var databaseHealthKey = $"{databaseName}_ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            databaseHealthKey, _ => new PostgresReadyHealthCheck(database), failureStatus: null, tags: null));

        // A plain resource has no process behind it: its state is ours to publish, once the
        // server is ready and the database exists.
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (@event, cancellationToken) =>
        {
            await CreateDatabaseIfMissingAsync(server, databaseName, cancellationToken);
            await @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, snapshot => snapshot with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });

        return builder.AddResource(database)
            .WithParentRelationship(serverBuilder)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new("postgres.database", databaseName)],
            })
            .WithHealthCheck(databaseHealthKey);
    }

    private static async Task CreateDatabaseIfMissingAsync(
        LocalPostgresServerResource server, string databaseName, CancellationToken cancellationToken)
    {
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", databaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        // Identifiers cannot be parameters; the name is quoted by the server's own rules.
        await using var quote = new NpgsqlCommand("SELECT quote_ident(@name)", connection);
        quote.Parameters.AddWithValue("name", databaseName);
        var quoted = (string)(await quote.ExecuteScalarAsync(cancellationToken))!;
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }
}
