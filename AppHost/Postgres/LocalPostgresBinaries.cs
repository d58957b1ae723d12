using System.Diagnostics;

namespace WedSync.AppHost.Postgres;

/// <summary>The server binaries of a PostgreSQL installed on this machine.</summary>
public sealed record LocalPostgresBinaries(string BinDirectory)
{
    public string Postgres => Path.Combine(BinDirectory, "postgres");
    public string InitDb => Path.Combine(BinDirectory, "initdb");
    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    public const string InstallHint =
        "No PostgreSQL server binaries (postgres, initdb) were found on PATH, through `pg_config --bindir` " +
        "or under /usr/lib/postgresql/<version>/bin. Install them (Debian/Ubuntu: `sudo apt-get install postgresql`; " +
        "macOS: `brew install postgresql@17`), set Postgres:BinPath to their folder, start a container runtime " +
        "(Docker or Podman) for Postgres:Mode=container, or use Postgres:Mode=external with ConnectionStrings:wedsync.";

    /// <summary>Finds the binaries: an explicit folder, then PATH, then pg_config, then the newest Debian layout.</summary>
    public static LocalPostgresBinaries? Find(string? explicitBinPath)
    {
        foreach (var candidate in Candidates(explicitBinPath))
        {
            if (File.Exists(Path.Combine(candidate, "postgres")) && File.Exists(Path.Combine(candidate, "initdb")))
            {
                return new LocalPostgresBinaries(candidate);
            }
        }

        return null;
    }

    private static IEnumerable<string> Candidates(string? explicitBinPath)
    {
        if (explicitBinPath is not null)
        {
            // An explicit folder is the only candidate: silently using another server would surprise.
            yield return explicitBinPath;
            yield break;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return directory;
        }

        if (PgConfigBinDir() is { } fromPgConfig)
        {
            yield return fromPgConfig;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var versions = Directory.GetDirectories(debianRoot)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .Where(x => x.version > 0)
                .OrderByDescending(x => x.version);
            foreach (var (dir, _) in versions)
            {
                yield return Path.Combine(dir, "bin");
            }
        }
    }

    private static string? PgConfigBinDir()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(5000);
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
