using System.Diagnostics;

namespace WedSync.Tests.Api.Support;

/// <summary>Runs the API project as a developer would (<c>dotnet run --project Api</c>), outside the AppHost.</summary>
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
        };
        string[] run = ["run", "--project", new Projects.Api().ProjectPath, "--no-build", .. launchProfile ? Array.Empty<string>() : ["--no-launch-profile"], "--", .. args];
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
