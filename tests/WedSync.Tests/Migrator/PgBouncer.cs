using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace WedSync.Tests.Migrator;

/// <summary>
/// A real PgBouncer (Debian package <c>pgbouncer</c>) in transaction pooling mode in front of the
/// fixture's server, on a free port, for as long as the test holds it. It refuses to run as root, so
/// a root test starts it as the <c>postgres</c> OS user.
/// </summary>
public sealed class PgBouncer : IDisposable
{
    private readonly Process process;
    private readonly string directory;

    private PgBouncer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PgBouncer> StartAsync(string serverConnectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(serverConnectionString);
        var port = FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"pgbouncer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "users.txt"), $"\"{server.Username}\" \"{server.Password}\"\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "pgbouncer.ini"), $"""
            [databases]
            * = host={server.Host} port={server.Port}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = {directory}/users.txt
            pool_mode = transaction
            default_pool_size = 20
            max_client_conn = 200
            ignore_startup_parameters = extra_float_digits,options
            logfile = {directory}/pgbouncer.log
            """);
        var root = !OperatingSystem.IsWindows() && Environment.UserName == "root";
        if (root && !OperatingSystem.IsWindows())
        {
            // The postgres OS user runs it and must read the files (only this test's directory is opened up).
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        }

        var startInfo = new ProcessStartInfo(root ? "runuser" : "pgbouncer") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in root ? ["-u", "postgres", "--", "pgbouncer", Path.Combine(directory, "pgbouncer.ini")] : new[] { Path.Combine(directory, "pgbouncer.ini") })
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = Process.Start(startInfo)!;
        var bouncer = new PgBouncer(process, directory, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return bouncer;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                var log = File.Exists(Path.Combine(directory, "pgbouncer.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "pgbouncer.log")) : "";
                bouncer.Dispose();
                throw new InvalidOperationException($"PgBouncer did not start: {await process.StandardError.ReadToEndAsync()} {log}");
            }
        }
    }

    /// <summary>The connection string through the pooler.</summary>
    public string ConnectionString(string direct) =>
        new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
