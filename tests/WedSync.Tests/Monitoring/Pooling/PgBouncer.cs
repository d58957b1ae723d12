using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace WedSync.Tests.Monitoring.Pooling;

/// <summary>
/// A real PgBouncer (the Debian package's binary) in transaction pooling mode in front of one database
/// of the fixture's server, on a free port, with a pool small enough that its clients share server
/// sessions. It refuses to run as root, so as root it runs as the postgres account (like the server).
/// </summary>
public sealed class PgBouncer : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;

    private PgBouncer(Process process, string directory, int port, string database)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
        Database = database;
    }

    public int Port { get; }

    public string Database { get; }

    /// <summary>How a client connects through the pooler (auth_type any: the server login is the pooler's).</summary>
    public string ClientConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = Database,
        Username = "pooled",
        Password = "unused",
        Pooling = true,
    }.ConnectionString;

    public static async Task<PgBouncer> StartAsync(string serverConnectionString, string database)
    {
        var executable = new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("pgbouncer is not installed (Debian: apt-get install pgbouncer)");
        var server = new NpgsqlConnectionStringBuilder(serverConnectionString);
        var directory = Path.Combine(Path.GetTempPath(), "wedsync-pgbouncer", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            // The postgres account writes its log here.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }
        var port = FreePort();
        var config = Path.Combine(directory, "pgbouncer.ini");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            [databases]
            {database} = host={server.Host} port={server.Port} dbname={database} user={server.Username} password='{server.Password}'

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = any
            pool_mode = transaction
            default_pool_size = 2
            ; The API sends -c jit=off as startup options; PgBouncer refuses unknown startup parameters.
            ignore_startup_parameters = options,extra_float_digits
            logfile = {Path.Combine(directory, "pgbouncer.log")}
            """));

        var asRoot = Environment.UserName == "root";
        var startInfo = new ProcessStartInfo(asRoot ? "setpriv" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            foreach (var arg in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", executable })
            {
                startInfo.ArgumentList.Add(arg);
            }
        }

        startInfo.ArgumentList.Add(config);
        var bouncer = new PgBouncer(Process.Start(startInfo)!, directory, port, database);
        bouncer.process.OutputDataReceived += (_, _) => { };
        bouncer.process.ErrorDataReceived += (_, _) => { };
        bouncer.process.BeginOutputReadLine();
        bouncer.process.BeginErrorReadLine();
        await bouncer.WaitUntilItAnswersAsync(TimeSpan.FromSeconds(15));
        return bouncer;
    }

    private async Task WaitUntilItAnswersAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ClientConnectionString + ";Pooling=false");
                await connection.OpenAsync();
                return;
            }
            catch (Exception exception) when ((exception is NpgsqlException or SocketException) && DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
