using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WedSync.Migrations;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddMigrator(builder.Configuration);

using var host = builder.Build();
// Starting the host starts the telemetry exporters; stopping it flushes them before exit.
await host.StartAsync();
var exitCode = await host.Services.GetRequiredService<MigratorCli>().RunAsync(args, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
await host.StopAsync();
return exitCode;
