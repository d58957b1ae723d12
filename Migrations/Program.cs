using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Migrations;
using WedSync.Migrations.Cli;
using WedSync.Migrations.Engine;
using WedSync.Migrations.Lint;

// Shell completions ([suggest] directive) are System.CommandLine's own answer from the command table.
if (MigratorCommandLine.IsDirective(args))
{
    return MigratorCommandLine.RunDirective(args, Console.Out);
}

var command = MigratorCommand.Parse(args);
if (MigratorCommand.Answers(command, Console.Out, Console.Error, out var answered))
{
    return answered;
}

var configurationArgs = command.ConfigurationArgs(args).ToArray();

// lint reads files, without the host, so it runs anywhere (a CI job, a reviewer's laptop); it reads the
// database only for --fix, whose journal names the scripts it must not touch.
if (command.Verb == "lint")
{
    var format = command.Sarif ? LintFormat.Sarif : command.Json ? LintFormat.Json : LintFormat.Text;
    IReadOnlySet<string>? applied = null;
    if (command.Fix)
    {
        try
        {
            // The same configuration as up's (appsettings.json included): the journal of the database up migrates.
            if (MigratorConfiguration.OptionalConnectionString(MigratorConfiguration.Build(configurationArgs)) is { } connectionString)
            {
                applied = await JournalScripts.ReadAsync(connectionString, CancellationToken.None);
            }
        }
        catch (MigratorConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {ex.Message} No file was changed.");
            return MigrationOutcome.UsageError;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException)
        {
            // Without the journal no script can be shown to be pending: fix nothing.
            await Console.Error.WriteLineAsync($"lint --fix: the journal could not be read ({ex.Message}); no file was changed");
            return MigrationOutcome.DatabaseUnavailable;
        }
    }

    // lint --inbox PATH lints the inbox (with any paths named): the scripts it would add to the catalog.
    var paths = command.Inbox is null ? command.Scripts : [.. command.Scripts, command.Inbox];
    return new LintCommand(Console.Out, Console.Error).Run(paths, format, command.Fix, applied, configurationArgs);
}

// plan reads only: the journal and table statistics, in a read-only transaction rolled back.
if (command.Verb == "plan")
{
    try
    {
        var configuration = MigratorConfiguration.Build(configurationArgs);
        var options = MigratorConfiguration.Options(configuration);
        var plan = await WedSync.Migrations.Plan.MigrationPlanner.PlanAsync(MigratorConfiguration.ConnectionString(configuration),
            WedSync.Migrations.Catalog.ScriptCatalog.ForSchema(options.AdditionalScriptsPath),
            WedSync.Migrations.Catalog.RequestManifest.EmbeddedOr(options.RequestManifestPath),
            CancellationToken.None);
        await Console.Out.WriteLineAsync(command.Json ? WedSync.Migrations.Plan.MigrationPlanner.Json(plan) : WedSync.Migrations.Plan.MigrationPlanner.Text(plan));
        return WedSync.Migrations.Plan.PlanVerdict.ExitCode(plan);
    }
    catch (Exception ex) when (ex is WedSync.Migrations.Catalog.RequestManifestException or MigratorConfigurationException)
    {
        await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
        return MigrationOutcome.UsageError;
    }
    catch (NpgsqlException ex)
    {
        await Console.Error.WriteLineAsync(MigratorCli.DatabaseError(ex));
        return MigrationOutcome.DatabaseUnavailable;
    }
    catch (WedSync.Migrations.Catalog.ScriptEncodingException ex)
    {
        await Console.Error.WriteLineAsync($"Refused, nothing was applied: {ex.Message}");
        return MigrationOutcome.ScriptRefused;
    }
}

try
{
    // With a collector to send telemetry to (the AppHost's dashboard, a platform's), the migrator runs in
    // a host with OpenTelemetry. Without one it skips the host: its start is a large part of a short run.
    return string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
        ? await RunPlainAsync(command, configurationArgs)
        : await RunHostedAsync(command, configurationArgs);
}
catch (Exception ex) when (ex is OptionsValidationException or MigratorConfigurationException or WedSync.Migrations.Catalog.RequestManifestException)
{
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return MigrationOutcome.UsageError;
}
catch (WedSync.Migrations.Catalog.ScriptEncodingException ex)
{
    // Read before the journal or the lock: nothing was applied.
    await Console.Error.WriteLineAsync($"Refused, nothing was applied: {ex.Message}");
    return MigrationOutcome.ScriptRefused;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"Unexpected error: {ex}");
    return MigrationOutcome.UnexpectedError;
}

static async Task<int> RunHostedAsync(MigratorCommand command, string[] configurationArgs)
{
    // Checked before the host exists: a bad value is one "Configuration error" line (exit 2), as without a
    // host, not a failed host start with a stack trace.
    var configuration = MigratorConfiguration.Build(configurationArgs);
    MigratorConfiguration.Options(configuration);
    MigratorConfiguration.ConnectionString(configuration);

    var builder = Host.CreateApplicationBuilder(configurationArgs);
    // The same sources as every other verb's (MigratorConfiguration), not the host's defaults.
    builder.Configuration.Sources.Clear();
    builder.Configuration.AddConfiguration(configuration);
    // stdout carries the command's output only (status --json | jq); every log line goes to stderr.
    builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    // Telemetry only: health checks, service discovery and HTTP resilience from AddServiceDefaults serve no purpose here.
    builder.ConfigureOpenTelemetry();
    builder.Services.AddMigrator(builder.Configuration);

    using var host = builder.Build();
    // Starting the host starts the telemetry exporters; stopping it flushes them before exit.
    await host.StartAsync();
    try
    {
        return await host.Services.GetRequiredService<MigratorCli>()
            .RunAsync(command, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    }
    finally
    {
        await host.StopAsync();
    }
}

// The same configuration sources, logging and options as the host's, without the host.
static async Task<int> RunPlainAsync(MigratorCommand command, string[] configurationArgs)
{
    var configuration = MigratorConfiguration.Build(configurationArgs);
    var options = MigratorConfiguration.Options(configuration);

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
