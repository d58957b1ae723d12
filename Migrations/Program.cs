using Microsoft.Extensions.Configuration;
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

var configurationArgs = args.Where(MigratorCommand.IsConfiguration).ToArray();
try
{
    // With a collector to send telemetry to (the AppHost's dashboard, a platform's), the migrator runs in
    // a host with OpenTelemetry. Without one it skips the host: its start is a large part of a short run.
    return string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
        ? await RunPlainAsync(command, configurationArgs)
        : await RunHostedAsync(command, configurationArgs);
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

static async Task<int> RunHostedAsync(MigratorCommand command, string[] configurationArgs)
{
    var builder = Host.CreateApplicationBuilder(configurationArgs);
    // stdout carries the command's output only (status --json | jq); every log line goes to stderr.
    builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    // Telemetry only: health checks, service discovery and HTTP resilience from AddServiceDefaults serve no purpose here.
    builder.ConfigureOpenTelemetry();
    builder.Services.AddMigrator(builder.Configuration);

    using var host = builder.Build();
    // Starting the host starts the telemetry exporters; stopping it flushes them before exit.
    await host.StartAsync();
    var exitCode = await host.Services.GetRequiredService<MigratorCli>()
        .RunAsync(command, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    await host.StopAsync();
    return exitCode;
}

// The same configuration sources, logging and options as the host's, without the host.
static async Task<int> RunPlainAsync(MigratorCommand command, string[] configurationArgs)
{
    var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";
    var configurationBuilder = new ConfigurationBuilder()
        .SetBasePath(Directory.GetCurrentDirectory())
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{environment}.json", optional: true);
    if (environment == "Development")
    {
        configurationBuilder.AddUserSecrets(typeof(MigratorOptions).Assembly, optional: true);
    }

    var configuration = configurationBuilder.AddEnvironmentVariables().AddCommandLine(configurationArgs).Build();
    var options = configuration.GetSection(MigratorOptions.SectionName).Get<MigratorOptions>() ?? new MigratorOptions();
    if (MigratorComposition.Problems(options) is { Count: > 0 } problems)
    {
        throw new MigratorConfigurationException(string.Join(" ", problems));
    }

    using var loggerFactory = LoggerFactory.Create(logging =>
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
    using var stopping = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stopping.Cancel();
    };
    using var terminated = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stopping.Cancel();
    });

    var engine = MigratorComposition.Engine(configuration, options, loggerFactory);
    return await MigratorComposition.Cli(engine, loggerFactory).RunAsync(command, stopping.Token);
}
