using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using WedSync.Migrations;
using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;

var command = MigratorCommand.Parse(args);
if (command is null)
{
    await Console.Error.WriteLineAsync(MigratorCommand.Usage);
    return MigrationOutcome.UsageError;
}

// lint reads files only: no database, no host, so it runs anywhere (a CI job, a reviewer's laptop).
if (command.Verb == "lint")
{
    var format = command.Sarif ? WedSync.Migrations.Lint.LintFormat.Sarif : command.Json ? WedSync.Migrations.Lint.LintFormat.Json : WedSync.Migrations.Lint.LintFormat.Text;
    return new WedSync.Migrations.Lint.LintCommand(Console.Out, Console.Error).Run(command.Scripts, format, command.Fix);
}

try
{
    var builder = Host.CreateApplicationBuilder(args.Where(MigratorCommand.IsConfiguration).ToArray());
    // stdout carries the command's output only (status --json | jq); every log line goes to stderr.
    builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    // Telemetry only where something collects it (the AppHost's dashboard, a platform's collector): the
    // OpenTelemetry pipeline costs a noticeable part of a run's start, which is most of a short run.
    // Health checks, service discovery and HTTP resilience from AddServiceDefaults serve no purpose here.
    if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
    {
        builder.ConfigureOpenTelemetry();
    }

    builder.Services.AddMigrator(builder.Configuration);

    using var host = builder.Build();
    // Starting the host starts the telemetry exporters; stopping it flushes them before exit.
    await host.StartAsync();
    var exitCode = await host.Services.GetRequiredService<MigratorCli>()
        .RunAsync(command, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    await host.StopAsync();
    return exitCode;
}
catch (Exception ex) when (ex is OptionsValidationException or MigratorConfigurationException)
{
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return MigrationOutcome.UsageError;
}
catch (Exception ex) when (ex is InvalidOperationException { InnerException: FormatException or InvalidCastException })
{
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message} {ex.InnerException?.Message}");
    return MigrationOutcome.UsageError;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"Unexpected error: {ex}");
    return MigrationOutcome.UnexpectedError;
}
