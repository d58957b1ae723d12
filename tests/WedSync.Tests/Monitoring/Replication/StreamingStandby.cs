using System.Globalization;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring.Replication;

/// <summary>
/// A streaming standby of a test's own primary: pg_basebackup (creating a physical replication slot) into a temp
/// folder, then the machine's postgres on a free loopback port replaying from the primary as <see cref="ApplicationName"/>.
/// Runs as the postgres OS user when the tests run as root, like <see cref="PostgresServerProcess"/>. Stopped and deleted on dispose.
/// </summary>
public sealed class StreamingStandby : IAsyncDisposable
{
    public const string ApplicationName = "wedding_standby";

    public const string SlotName = "wedding_standby_slot";

    private readonly string directory;
    private readonly string binaries;
    private readonly bool asRoot;
    private readonly int primaryPort;
    private ServerProcess? process;

    private StreamingStandby(string directory, string binaries, bool asRoot, int primaryPort, int port)
    {
        this.directory = directory;
        this.binaries = binaries;
        this.asRoot = asRoot;
        this.primaryPort = primaryPort;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        Pooling = false,
    }.ConnectionString;

    private string DataDirectory => Path.Combine(directory, "data");

    public static async Task<StreamingStandby> StartAsync(int primaryPort)
    {
        var binaries = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "pg_basebackup"))).Order().Last();
        var asRoot = !OperatingSystem.IsWindows() && Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"standby-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (asRoot)
        {
            await ServerProcess.RunAsync("chown", ["postgres:postgres", directory]);
        }

        var standby = new StreamingStandby(directory, binaries, asRoot, primaryPort, ApiServer.FreePort());
        try
        {
            var backup = await standby.RunAsync("pg_basebackup", "-h", "127.0.0.1", "-p", Text(primaryPort), "-U", "postgres", "-D", standby.DataDirectory,
                "-X", "stream", "-C", "-S", SlotName, "-R", "-c", "fast", "--no-sync");
            if (backup.ExitCode != 0)
            {
                throw new InvalidOperationException($"pg_basebackup failed: {backup.Output}");
            }

            await standby.StartServerAsync();
            return standby;
        }
        catch
        {
            await standby.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (again) the standby's server; it reconnects to the primary through its slot.</summary>
    public async Task StartServerAsync()
    {
        var postgres = Path.Combine(binaries, "postgres");
        string[] server =
        [
            postgres, "-D", DataDirectory, "-p", Text(Port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "fsync=off", "-c", "hot_standby=on", "-c", $"primary_slot_name={SlotName}",
            "-c", $"primary_conninfo=host=127.0.0.1 port={Text(primaryPort)} user=postgres application_name={ApplicationName}",
        ];
        process = asRoot ? ServerProcess.Start("runuser", ["-u", "postgres", "--", .. server]) : ServerProcess.Start(postgres, server[1..]);
        await process.WaitUntilConnectsAsync(ConnectionString, "the standby", TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops the standby's server (fast shutdown): its walsender goes and its slot on the primary turns inactive.</summary>
    public async Task StopServerAsync()
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            await RunAsync("pg_ctl", "stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30");
        }

        await process.StopAsync();
        process.Dispose();
        process = null;
    }

    public string Output => process?.Output ?? "";

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        AppHostFixture.TryDelete(directory);
    }

    private Task<(int ExitCode, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var path = Path.Combine(binaries, tool);
        return asRoot ? ServerProcess.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments]) : ServerProcess.RunAsync(path, arguments);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
