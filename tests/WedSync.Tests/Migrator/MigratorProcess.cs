using System.Diagnostics;
using System.Text;

namespace WedSync.Tests.Migrator;

/// <summary>The real migrator binary, run as operators and the AppHost run it.</summary>
public sealed class MigratorProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder standardOutput = new();

    private MigratorProcess(Process process)
    {
        this.process = process;
    }

    public static string AssemblyPath
    {
        get
        {
            var projectDirectory = Path.GetDirectoryName(new Projects.Migrations().ProjectPath)!;
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(projectDirectory, "bin", configuration, "net10.0", "WedSync.Migrations.dll");
        }
    }

    public static MigratorProcess Start(string connectionString, params string[] args) => Start(["dotnet"], connectionString, args, null, null);

    /// <summary>
    /// With a working directory of the test's (where an appsettings.json may be) and environment variables
    /// of its own (a null value removes the variable; ConnectionStrings__wedsync too, when the connection
    /// string should come from elsewhere).
    /// </summary>
    public static MigratorProcess Start(string connectionString, string[] args, string? workingDirectory, IReadOnlyDictionary<string, string?>? environment) =>
        Start(["dotnet"], connectionString, args, workingDirectory, environment);

    private static MigratorProcess Start(string[] launcher, string connectionString, string[] args, string? workingDirectory, IReadOnlyDictionary<string, string?>? environment)
    {
        var startInfo = new ProcessStartInfo(launcher[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in launcher[1..])
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["ConnectionStrings__wedsync"] = connectionString;
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var migrator = new MigratorProcess(Process.Start(startInfo)!);
        migrator.process.OutputDataReceived += (_, e) =>
        {
            migrator.Append(e.Data);
            migrator.AppendStandardOutput(e.Data);
        };
        migrator.process.ErrorDataReceived += (_, e) => migrator.Append(e.Data);
        migrator.process.BeginOutputReadLine();
        migrator.process.BeginErrorReadLine();
        return migrator;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(
        string connectionString, string[] args, string? workingDirectory, IReadOnlyDictionary<string, string?>? environment)
    {
        using var migrator = Start(connectionString, args, workingDirectory, environment);
        var exitCode = await migrator.WaitAsync(TimeSpan.FromMinutes(2));
        return (exitCode, migrator.Output);
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, params string[] args)
    {
        using var migrator = Start(connectionString, args);
        var exitCode = await migrator.WaitAsync(TimeSpan.FromMinutes(2));
        return (exitCode, migrator.Output);
    }

    /// <summary>Runs the migrator and keeps what it wrote to stdout apart (Output has both streams).</summary>
    /// <summary>A command line as a user types it into bash (<c>~</c> expanded by the shell), after <c>dotnet WedSync.Migrations.dll</c>.</summary>
    public static async Task<(int ExitCode, string Output)> RunInShellAsync(string connectionString, string commandLine, IReadOnlyDictionary<string, string?> environment)
    {
        using var migrator = Start(["bash", "-c", $"exec dotnet \"$0\" {commandLine}"], connectionString, [], null, environment);
        var exitCode = await migrator.WaitAsync(TimeSpan.FromMinutes(2));
        return (exitCode, migrator.Output);
    }

    public static async Task<(int ExitCode, string StandardOutput, string Output)> RunCapturingStdoutAsync(string connectionString, params string[] args)
    {
        using var migrator = Start(connectionString, args);
        var exitCode = await migrator.WaitAsync(TimeSpan.FromMinutes(2));
        return (exitCode, migrator.StandardOutput, migrator.Output);
    }

    /// <summary>
    /// Runs the migrator as an unprivileged user would, so file modes apply to it: as root (the test
    /// containers' user), without the capabilities that let root read and write past them
    /// (<c>setpriv</c> of util-linux drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH); as anyone else, as is.
    /// </summary>
    public static async Task<(int ExitCode, string StandardOutput, string Output)> RunUnprivilegedCapturingStdoutAsync(params string[] args)
    {
        string[] launcher = Environment.IsPrivilegedProcess ? ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", "dotnet"] : ["dotnet"];
        using var migrator = Start(launcher, "", args, null, null);
        var exitCode = await migrator.WaitAsync(TimeSpan.FromMinutes(2));
        return (exitCode, migrator.StandardOutput, migrator.Output);
    }

    public string StandardOutput
    {
        get
        {
            lock (standardOutput)
            {
                return standardOutput.ToString();
            }
        }
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        process.WaitForExit();
        return process.ExitCode;
    }

    public void Kill() => process.Kill(entireProcessTree: true);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private void AppendStandardOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (standardOutput)
        {
            standardOutput.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }
}
