using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WedSync.AppHost;

public static class MigrationsResourceExtensions
{
    public const string StatusCommandName = "migration-status";

    /// <summary>
    /// Development runs get the demo organizations and users; published (deployed) runs never do,
    /// because the manifest is built in publish mode.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDemoDataInDevelopment(
        this IResourceBuilder<ProjectResource> migrations, IDistributedApplicationBuilder builder)
    {
        var seed = builder.ExecutionContext.IsRunMode && builder.Environment.EnvironmentName == "Development";
        return migrations.WithEnvironment("Migrations__SeedDemoData", seed ? "true" : "false");
    }

    /// <summary>
    /// A dashboard command that runs the migrator's own <c>status</c> verb against the database and
    /// shows the request table, long after the migrator itself has finished.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithStatusCommand(
        this IResourceBuilder<ProjectResource> migrations, IResourceBuilder<IResourceWithConnectionString> database)
    {
        return migrations.WithCommand(StatusCommandName, "Show migration status", async context =>
        {
            var logger = context.Services.GetRequiredService<ResourceLoggerService>().GetLogger(migrations.Resource);
            var run = await MigratorRun.StartAsync(migrations, database, ["status"], context.CancellationToken);
            var stdout = run.Output;

            var table = stdout[Math.Max(0, stdout.IndexOf("| Request", StringComparison.Ordinal))..];
            foreach (var line in table.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                logger.LogInformation("{StatusLine}", line);
            }

            return run.Succeeded
                ? CommandResults.Success("Migration status", table, CommandResultFormat.Markdown)
                : CommandResults.Failure($"status exited with {run.ExitCode}: {run.Errors}");
        }, new CommandOptions
        {
            Description = "Runs `WedSync.Migrations status`: each request (WS-047 ...) complete, pending, modified or missing file.",
            IconName = "TableSearch",
            UpdateState = _ => ResourceCommandState.Enabled,
        });
    }
}
