using System.Collections.Concurrent;
using System.Diagnostics;
using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Monitoring.Pooling;

/// <summary>
/// One API process (the built <c>WedSync.Api.dll</c>, as an operator starts a second instance) that keeps
/// running while the test watches its console log.
/// </summary>
public sealed class ApiInstance : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private ApiInstance(Process process)
    {
        this.process = process;
    }

    public bool HasExited => process.HasExited;

    public string Output => string.Join('\n', lines);

    public static ApiInstance Start(IReadOnlyDictionary<string, string> environment)
    {
        // The built dll, not `dotnet run` (which evaluates the project first): the subject is the lease, not the command line.
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root, where appsettings.json is, as under dotnet run.
            WorkingDirectory = Path.GetDirectoryName(new Projects.Api().ProjectPath)!,
        };
        startInfo.ArgumentList.Add(ApiServer.AssemblyPath);

        startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var instance = new ApiInstance(Process.Start(startInfo)!);
        instance.process.OutputDataReceived += (_, e) => instance.Append(e.Data);
        instance.process.ErrorDataReceived += (_, e) => instance.Append(e.Data);
        instance.process.BeginOutputReadLine();
        instance.process.BeginErrorReadLine();
        return instance;
    }

    /// <summary>Lines of the console log so far that contain <paramref name="text"/>.</summary>
    public int Count(string text) => lines.Count(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Ends the process and its children at once, as a crash would: nothing is released cleanly.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }
}
