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
            WorkingDirectory = Path.GetDirectoryName(projectPath)!,
        };
        // The built entry point when there is one: `dotnet run` evaluates the project first (seconds of CPU per run,
        // paid every minute by the schema health check).
        var launch = BuiltEntryPoint(projectPath) is { } dll
            ? new[] { dll }
            : ["run", "--project", projectPath, "--no-build", "--no-launch-profile", "--"];
        foreach (var arg in launch.Concat(arguments))
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

    /// <summary>The project's newest build output for this AppHost's configuration (the one its own assembly was built in), if any.</summary>
    private static string? BuiltEntryPoint(string projectPath)
    {
        var configuration = typeof(MigratorRun).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";
        var output = Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", configuration);
        if (!Directory.Exists(output))
        {
            return null;
        }

        // An executable project's output holds one runtimeconfig.json beside its entry assembly.
        return Directory.EnumerateFiles(output, "*.runtimeconfig.json", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}publish{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(file => file[..^".runtimeconfig.json".Length] + ".dll")
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }
}
