using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api.Support;

/// <summary>
/// The API as a process of its own on a free loopback port, against a database the test chooses and
/// with settings the test chooses; it can be killed (as a crash or a redeploy would end it) and
/// started again. Output is kept for failure messages.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private ApiServer(Process process, Uri address)
    {
        this.process = process;
        Address = address;
        Client = ApiClients.Create(address);
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

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

    public static string AssemblyPath
    {
        get
        {
            var projectDirectory = Path.GetDirectoryName(new Projects.Api().ProjectPath)!;
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(projectDirectory, "bin", configuration, "net10.0", "WedSync.Api.dll");
        }
    }

    /// <summary>
    /// Starts the API and waits until /health answers Healthy, or, with <paramref name="requireHealthy"/> false
    /// (a database the test left unhealthy on purpose, a migration pending), until it answers at all.
    /// </summary>
    public static async Task<ApiServer> StartAsync(string connectionString, IReadOnlyDictionary<string, string> settings, bool requireHealthy = true)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root, where appsettings.json is.
            WorkingDirectory = Path.GetDirectoryName(new Projects.Api().ProjectPath)!,
        };
        startInfo.ArgumentList.Add(AssemblyPath);
        startInfo.Environment["ConnectionStrings__wedsync"] = connectionString;
        startInfo.Environment["Auth__SigningKey"] = AppHostFixture.JwtSigningKey;
        startInfo.Environment["ASPNETCORE_URLS"] = address.ToString();
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Production";
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        startInfo.Environment["RateLimiting__PermitsPerMinute"] = "10000";
        startInfo.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (name, value) in settings)
        {
            startInfo.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var server = new ApiServer(Process.Start(startInfo)!, address);
        server.process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (server.process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {server.process.ExitCode}:\n{server.Output}");
            }

            try
            {
                using var health = await server.Client.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK || (!requireHealthy && health.StatusCode == HttpStatusCode.ServiceUnavailable))
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"The API did not become healthy:\n{server.Output}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Ends the process at once, without a graceful shutdown, as a crash or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Client.Dispose();
        process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
