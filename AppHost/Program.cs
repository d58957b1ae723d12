using WedSync.AppHost;
using WedSync.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

var wedsync = builder.AddWedSyncPostgres(serverName: "postgres", databaseName: "wedsync")
    .WithPsqlConnectionStringCommand();

// Signs and validates the API's bearer tokens; generated once and kept in the AppHost's user secrets.
var jwtSigningKey = builder.AddParameter(
    "jwt-signing-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.Migrations>("migrations")
    .WithReference(wedsync)
    .WaitFor(wedsync)
    .WithDemoDataInDevelopment(builder)
    .WithStatusCommand(wedsync)
    .WithMigratorVerbCommands(wedsync)
    .WithSchemaHealth(builder, wedsync);

var api = builder.AddProject<Projects.Api>("api")
    .WithReference(wedsync)
    .WithEnvironment("Auth__SigningKey", jwtSigningKey)
    .WaitForCompletion(migrations)
    .WithTrustedProxiesWhenPublished(builder)
    .WithHttpHealthCheck("/health")
    .WithConsoleLink();

builder.AddDatabaseHealth(wedsync, api, jwtSigningKey);

builder.Build().Run();
