using WedSync.AppHost;
using WedSync.AppHost.Fleet;
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

// Off unless asked for (WedSync:Fleet): API replicas and a PgBouncer between them and PostgreSQL.
var fleet = FleetSettings.From(builder.Configuration);
var pooled = builder.AddWedSyncPooler(wedsync, fleet);

var api = builder.AddProject<Projects.Api>("api")
    .WithFleet(wedsync, pooled, fleet)
    .WithEnvironment("Auth__SigningKey", jwtSigningKey)
    .WaitForCompletion(migrations)
    .WithTrustedProxiesWhenPublished(builder)
    .WithHttpHealthCheck("/health")
    .WithConsoleLink();

builder.AddDatabaseHealth(wedsync, api, jwtSigningKey);

builder.Build().Run();
