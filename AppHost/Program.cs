using WedSync.AppHost;
using WedSync.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

var wedsync = builder.AddWedSyncPostgres(serverName: "postgres", databaseName: "wedsync");

var migrations = builder.AddProject<Projects.Migrations>("migrations")
    .WithReference(wedsync)
    .WaitFor(wedsync)
    .WithDemoDataInDevelopment(builder)
    .WithStatusCommand(wedsync);

builder.AddProject<Projects.Api>("api")
    .WithReference(wedsync)
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
