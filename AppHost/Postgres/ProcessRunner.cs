using System.Diagnostics;

namespace WedSync.AppHost.Postgres;

/// <summary>Runs a short helper command (initdb, chown, pg_ctl) and reports its output on failure.</summary>
internal static class ProcessRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>The command line that runs <paramref name="fileName"/> as the postgres account when we are root.</summary>
    public static (string FileName, List<string> Arguments) AsPostgresUser(string fileName, IEnumerable<string> arguments)
    {
        if (!OsUser.IsRoot)
        {
            return (fileName, arguments.ToList());
        }

        // runuser forks and waits; fine for short helpers (the server itself is exec'd through setpriv).
        return ("runuser", ["-u", OsUser.PostgresAccount, "--", fileName, .. arguments]);
    }
}
