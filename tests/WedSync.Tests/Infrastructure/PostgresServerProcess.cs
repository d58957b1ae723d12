using Npgsql;
using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of its own (the machine's binaries, a fresh data directory, a free loopback port,
/// trust authentication for <c>postgres</c>), for tests that need a server setting the shared fixture's
/// server must not have, such as a tiny <c>pg_stat_statements.max</c>. Runs as the postgres OS user when
/// the tests run as root, like the AppHost's local mode. Stopped (fast shutdown) and deleted on dispose.
/// </summary>
public sealed class PostgresServerProcess : IAsyncDisposable
{
    private readonly ServerProcess process;
    private readonly string directory;
    private readonly string binaries;
    private readonly bool asRoot;

    private PostgresServerProcess(ServerProcess process, string directory, int port, string binaries, bool asRoot)
    {
        this.process = process;
        this.directory = directory;
        this.binaries = binaries;
        this.asRoot = asRoot;
        Port = port;
    }

    public int Port { get; }

    /// <summary>
    /// The superuser on <paramref name="database"/> (the migrator creates a missing database), without a
    /// client pool, so nothing of this server outlives it in the test process's pools.
    /// </summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = false,
    }.ConnectionString;

    /// <param name="settings">server settings passed as <c>-c name=value</c>.</param>
    public static async Task<PostgresServerProcess> StartAsync(params (string Name, string Value)[] settings)
    {
        var binaries = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "postgres"))).Order().LastOrDefault()
            ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql (.ci/run installs them).");
        var asRoot = !OperatingSystem.IsWindows() && Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"postgres-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (asRoot)
        {
            await ServerProcess.RunAsync("chown", ["postgres:postgres", directory]);
        }

        var initdb = await ServerProcess.RunAsync(asRoot ? "runuser" : Path.Combine(binaries, "initdb"),
            [.. asRoot ? new[] { "-u", "postgres", "--", Path.Combine(binaries, "initdb") } : [], "-D", directory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        if (initdb.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed: {initdb.Output}");
        }

        var port = ApiServer.FreePort();
        var args = new List<string>();
        if (asRoot)
        {
            args.AddRange(["-u", "postgres", "--", Path.Combine(binaries, "postgres")]);
        }

        args.AddRange(["-D", directory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off"]);
        foreach (var (name, value) in settings)
        {
            args.AddRange(["-c", $"{name}={value}"]);
        }

        var server = new PostgresServerProcess(
            ServerProcess.Start(asRoot ? "runuser" : Path.Combine(binaries, "postgres"), args), directory, port, binaries, asRoot);
        try
        {
            await server.process.WaitUntilConnectsAsync(server.ConnectionString("postgres"), "PostgreSQL", TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string Output => process.Output;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // A fast shutdown cleans up the server's shared memory; killing is the fallback.
            var pgCtl = Path.Combine(binaries, "pg_ctl");
            await ServerProcess.RunAsync(asRoot ? "runuser" : pgCtl,
                [.. asRoot ? new[] { "-u", "postgres", "--", pgCtl } : [], "stop", "-D", directory, "-m", "fast", "-w", "-t", "30"]);
        }

        await process.StopAsync();
        process.Dispose();
        AppHostFixture.TryDelete(directory);
    }
}
