using System.Diagnostics;
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
            var connectionString = await database.Resource.ConnectionStringExpression.GetValueAsync(context.CancellationToken);
            var projectPath = migrations.Resource.GetProjectMetadata().ProjectPath;

            var startInfo = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "run", "--project", projectPath, "--no-build", "--no-launch-profile", "--", "status" })
            {
                startInfo.ArgumentList.Add(arg);
            }

            startInfo.Environment[$"ConnectionStrings__{database.Resource.Name}"] = connectionString;
            using var process = Process.Start(startInfo)!;
            var stdout = await process.StandardOutput.ReadToEndAsync(context.CancellationToken);
            var stderr = await process.StandardError.ReadToEndAsync(context.CancellationToken);
            await process.WaitForExitAsync(context.CancellationToken);

            var table = stdout[Math.Max(0, stdout.IndexOf("| Request", StringComparison.Ordinal))..];
            foreach (var line in table.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                logger.LogInformation("{StatusLine}", line);
            }

            return process.ExitCode == 0
                ? CommandResults.Success("Migration status", table, CommandResultFormat.Markdown)
                : CommandResults.Failure($"status exited with {process.ExitCode}: {stderr}");
        }, new CommandOptions
        {
            Description = "Runs `WedSync.Migrations status`: each request (WS-047 ...) complete, pending, modified or missing file.",
            IconName = "TableSearch",
            UpdateState = _ => ResourceCommandState.Enabled,
        });
    }
}
