using System.Diagnostics;
using System.Text;
using Npgsql;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// A server child process of a test (PostgreSQL, PgBouncer): its output kept for failure messages, and
/// the wait until it accepts connections.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ServerProcess(Process process)
    {
        this.process = process;
    }

    public bool HasExited => process.HasExited;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
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

    public static ServerProcess Start(string file, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(Process.Start(startInfo)!);
        server.process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// Waits until <paramref name="connectionString"/> opens; throws with the process's output when it
    /// exits first or <paramref name="patience"/> runs out.
    /// </summary>
    public async Task WaitUntilConnectsAsync(string connectionString, string name, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or System.Net.Sockets.SocketException)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"{name} did not start: {exception.Message}\n{Output}");
                }

                await Task.Delay(100);
            }
        }
    }

    /// <summary>Kills the process (and its children) if it still runs, and waits for it.</summary>
    public async Task StopAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    public void Dispose() => process.Dispose();

    /// <summary>Runs a short command to its end: exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var child = Process.Start(startInfo)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        return (child.ExitCode, await stdout + await stderr);
    }

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
}
