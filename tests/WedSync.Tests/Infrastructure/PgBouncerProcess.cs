using Npgsql;
using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// A real PgBouncer in transaction pooling mode in front of one database of the fixture's server, on a
/// free loopback port: every transaction may run on another server connection, so code that relies on
/// session state (advisory locks, LISTEN, prepared statements, SET) breaks behind it. PgBouncer refuses
/// to run as root, so a root test run starts it as the postgres OS user.
/// </summary>
public sealed class PgBouncerProcess : IAsyncDisposable
{
    private readonly ServerProcess process;
    private readonly string directory;

    private PgBouncerProcess(ServerProcess process, string directory, string connectionString)
    {
        this.process = process;
        this.directory = directory;
        ConnectionString = connectionString;
    }

    /// <summary>The Debian package's binary, which <c>.ci/run</c> installs.</summary>
    public const string Binary = "/usr/sbin/pgbouncer";

    /// <summary>Connects through the pooler to the database it fronts.</summary>
    public string ConnectionString { get; }

    /// <summary>The pooler's port on 127.0.0.1.</summary>
    public int Port => new NpgsqlConnectionStringBuilder(ConnectionString).Port;

    /// <summary>
    /// <paramref name="connectionString"/> pointed at the pooler, without a client-side pool, so every
    /// open is a new pooler client.
    /// </summary>
    public string ClientConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port, Pooling = false, MaxAutoPrepare = 0 }.ConnectionString;

    /// <param name="databaseConnectionString">the server and database to front.</param>
    /// <param name="poolSize">server connections per database and user (<c>default_pool_size</c>).</param>
    public static async Task<PgBouncerProcess> StartAsync(string databaseConnectionString, int poolSize = 10)
    {
        var server = new NpgsqlConnectionStringBuilder(databaseConnectionString);
        var port = ApiServer.FreePort();
        var directory = Path.Combine(Path.GetTempPath(), "wedsync-tests", $"pgbouncer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var users = Path.Combine(directory, "users.txt");
        await File.WriteAllTextAsync(users, $"\"{server.Username}\" \"\"\n");
        var ini = Path.Combine(directory, "pgbouncer.ini");
        await File.WriteAllTextAsync(ini, $"""
            [databases]
            {server.Database} = host={server.Host} port={server.Port} dbname={server.Database} user={server.Username} password={server.Password}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {users}
            pool_mode = transaction
            default_pool_size = {poolSize}
            max_client_conn = 500
            ; Npgsql sends these at startup; the API's -c jit=off travels in options.
            ignore_startup_parameters = extra_float_digits,options
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var asRoot = !OperatingSystem.IsWindows() && Environment.UserName == "root";
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = server.Database,
            Username = server.Username,
            // Npgsql's DISCARD ALL on returning a connection means nothing to a transaction pooler.
            NoResetOnClose = true,
            // Debian bookworm's PgBouncer is 1.18: prepared statements in transaction mode need 1.21, so
            // the API's automatic preparation is off through it, as the README says for older poolers.
            MaxAutoPrepare = 0,
        }.ConnectionString;
        var bouncer = new PgBouncerProcess(
            ServerProcess.Start(asRoot ? "runuser" : Binary, asRoot ? ["-u", "postgres", "--", Binary, ini] : [ini]), directory, connectionString);
        try
        {
            await bouncer.process.WaitUntilConnectsAsync(connectionString, "PgBouncer", TimeSpan.FromSeconds(20));
            return bouncer;
        }
        catch
        {
            await bouncer.DisposeAsync();
            throw;
        }
    }

    public string Output => process.Output;

    public async ValueTask DisposeAsync()
    {
        await process.StopAsync();
        process.Dispose();
        AppHostFixture.TryDelete(directory);
    }
}
