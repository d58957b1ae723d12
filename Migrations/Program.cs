using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WedSync.Migrations;
using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;

var command = MigratorCommand.Parse(args);
if (command is null)
{
    await Console.Error.WriteLineAsync(MigratorCommand.Usage);
    return MigrationOutcome.UsageError;
}

var builder = Host.CreateApplicationBuilder(args.Where(MigratorCommand.IsConfiguration).ToArray());
builder.AddServiceDefaults();
builder.Services.AddMigrator(builder.Configuration);

using var host = builder.Build();
// Starting the host starts the telemetry exporters; stopping it flushes them before exit.
await host.StartAsync();
var exitCode = await host.Services.GetRequiredService<MigratorCli>()
    .RunAsync(command, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
await host.StopAsync();
return exitCode;
