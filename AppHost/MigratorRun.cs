using System.Diagnostics;

namespace WedSync.AppHost;

/// <summary>One run of the built migrator against the AppHost's database: its exit code and its output.</summary>
public sealed record MigratorRun(int ExitCode, string Output, string Errors)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>
    /// Runs <c>WedSync.Migrations</c> with <paramref name="arguments"/> (no launch profile: stdout carries the
    /// verb's output only) and the database's current connection string.
    /// </summary>
    public static async Task<MigratorRun> StartAsync(
        IResourceBuilder<ProjectResource> migrations, IResourceBuilder<IResourceWithConnectionString> database,
        IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var connectionString = await database.Resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
        var projectPath = migrations.Resource.GetProjectMetadata().ProjectPath;

        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "run", "--project", projectPath, "--no-build", "--no-launch-profile", "--" }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment[$"ConnectionStrings__{database.Resource.Name}"] = connectionString;
        using var process = Process.Start(startInfo)!;
        // Both streams read together: a full stderr pipe must not stall a process whose stdout is being read.
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new MigratorRun(process.ExitCode, await output, await errors);
    }
}
