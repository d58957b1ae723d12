using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace WedSync.AppHost.Postgres;

/// <summary>The persistent data folder of the local server: chosen, owned by the right user, initialized once.</summary>
internal sealed class LocalPostgresDataDirectory(LocalPostgresBinaries binaries, string path)
{
    public string Path { get; } = path;

    public static string Resolve(string? configured, string appHostDirectory)
    {
        var preferred = configured is not null
            ? System.IO.Path.GetFullPath(configured, appHostDirectory)
            : System.IO.Path.Combine(appHostDirectory, ".data", "postgres");

        if (configured is not null || !OsUser.IsRoot || PostgresUserCanReach(preferred))
        {
            return preferred;
        }

        // A root-owned checkout (e.g. under /root) is closed to the postgres account: keep the data
        // in that account's home instead, one folder per AppHost so two checkouts never share it.
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(appHostDirectory)))[..12].ToLowerInvariant();
        return System.IO.Path.Combine("/var/lib/postgresql/wedsync-aspire", hash);
    }

    private static bool PostgresUserCanReach(string dataPath)
    {
        var probe = System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(dataPath)) ?? "/";
        try
        {
            var (exitCode, _) = ProcessRunner.RunAsync(
                "runuser", ["-u", OsUser.PostgresAccount, "--", "test", "-x", probe], CancellationToken.None)
                .GetAwaiter().GetResult();
            return exitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public bool IsInitialized => File.Exists(System.IO.Path.Combine(Path, "PG_VERSION"));

    /// <summary>Creates the cluster on first use; later runs keep the data as it is.</summary>
    public async Task EnsureInitializedAsync(string password, ILogger logger, CancellationToken cancellationToken)
    {
        if (IsInitialized)
        {
            logger.LogInformation("Reusing the PostgreSQL data folder {DataPath}", Path);
            return;
        }

        Directory.CreateDirectory(Path);
        var passwordFile = System.IO.Path.Combine(Path, "..", $".pwfile-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        try
        {
            if (OsUser.IsRoot)
            {
                await RunCheckedAsync("chown", ["-R", $"{OsUser.PostgresAccount}:", Path, passwordFile], cancellationToken);
            }

            // A folder with leftovers (but no PG_VERSION) would make initdb refuse: start clean.
            foreach (var entry in Directory.EnumerateFileSystemEntries(Path))
            {
                if (Directory.Exists(entry)) { Directory.Delete(entry, recursive: true); } else { File.Delete(entry); }
            }

            logger.LogInformation("Initializing a new PostgreSQL cluster in {DataPath}", Path);
            var (file, args) = ProcessRunner.AsPostgresUser(binaries.InitDb,
            [
                "--pgdata", Path,
                "--username", LocalPostgresServerResource.UserName,
                "--pwfile", passwordFile,
                "--auth-host", "scram-sha-256",
                "--auth-local", "scram-sha-256",
                "--encoding", "UTF8",
                "--locale", "C",
            ]);
            await RunCheckedAsync(file, args, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Stops a server left running on this folder by an AppHost that was killed.</summary>
    public async Task StopOrphanAsync(ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(System.IO.Path.Combine(Path, "postmaster.pid")))
        {
            return;
        }

        var (statusFile, statusArgs) = ProcessRunner.AsPostgresUser(binaries.PgCtl, ["status", "-D", Path]);
        var (status, _) = await ProcessRunner.RunAsync(statusFile, statusArgs, cancellationToken);
        if (status != 0)
        {
            return;
        }

        logger.LogWarning("A PostgreSQL server from an earlier run still holds {DataPath}; stopping it", Path);
        var (stopFile, stopArgs) = ProcessRunner.AsPostgresUser(binaries.PgCtl, ["stop", "-D", Path, "-m", "fast", "-w"]);
        await RunCheckedAsync(stopFile, stopArgs, cancellationToken);
    }

    private static async Task RunCheckedAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ProcessRunner.RunAsync(file, args, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` failed ({exitCode}): {output}");
        }
    }
}
