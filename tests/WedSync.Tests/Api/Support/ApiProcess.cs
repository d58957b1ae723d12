using System.Diagnostics;

namespace WedSync.Tests.Api.Support;

/// <summary>Runs the API outside the AppHost: with its launch profile as a developer would (<c>dotnet run --project Api</c>), else its built dll.</summary>
public static class ApiProcess
{
    public sealed record Result(int ExitCode, string Output, bool TimedOut);

    public static async Task<Result> RunAsync(
        IReadOnlyDictionary<string, string> environment, bool launchProfile, TimeSpan timeout, params string[] args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root, where appsettings.json is, as under dotnet run.
            WorkingDirectory = Path.GetDirectoryName(new Projects.Api().ProjectPath)!,
        };
        // Only dotnet run applies a launch profile; without one, the built dll starts the same API without
        // the seconds dotnet run spends evaluating the project.
        string[] run = launchProfile
            ? ["run", "--project", new Projects.Api().ProjectPath, "--no-build", "--", .. args]
            : [ApiServer.AssemblyPath, .. args];
        foreach (var arg in run)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Result(-1, await stdout + await stderr, TimedOut: true);
        }

        return new Result(process.ExitCode, await stdout + await stderr, TimedOut: false);
    }
}
