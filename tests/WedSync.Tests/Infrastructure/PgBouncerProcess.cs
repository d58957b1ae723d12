using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// A real PgBouncer (the Debian package, <c>/usr/sbin/pgbouncer</c>) in transaction pooling mode in front
/// of a test database, as the managed servers' poolers run: consecutive transactions of one client may
/// run on different server connections, and one server connection serves many clients, so only
/// transaction-scoped state is safe. PgBouncer refuses to run as root; as root it is started with
/// <c>-u postgres</c>.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PgBouncerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;

    private PgBouncerProcess(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    public const string Binary = "/usr/sbin/pgbouncer";

    public static async Task<PgBouncerProcess> StartAsync(string connectionString, int poolSize)
    {
        var server = new NpgsqlConnectionStringBuilder(connectionString);
        var directory = Path.Combine(Path.GetTempPath(), "wedsync-pgbouncer", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var port = FreePort();
        var config = Path.Combine(directory, "pgbouncer.ini");
        var users = Path.Combine(directory, "users.txt");
        await File.WriteAllTextAsync(users, $"\"{server.Username}\" \"{server.Password}\"\n");
        await File.WriteAllTextAsync(config, $"""
            [databases]
            {server.Database} = host={server.Host} port={server.Port} dbname={server.Database}
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = plain
            auth_file = {users}
            pool_mode = transaction
            default_pool_size = {poolSize}
            max_client_conn = 200
            ignore_startup_parameters = extra_float_digits,options
            logfile =
            """);
        foreach (var file in new[] { users, config })
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var startInfo = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Environment.UserName == "root")
        {
            startInfo.ArgumentList.Add("-u");
            startInfo.ArgumentList.Add("postgres");
        }

        startInfo.ArgumentList.Add(config);
        var process = Process.Start(startInfo)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var bouncer = new PgBouncerProcess(process, directory, port);
        await bouncer.WaitUntilListeningAsync();
        return bouncer;
    }

    /// <summary>A client connection string through the pooler: no client-side pool, so every open is a new client.</summary>
    public string ClientConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port, Pooling = false }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        AppHostFixture.TryDelete(directory);
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"pgbouncer exited with {process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException("pgbouncer did not listen within 15 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
