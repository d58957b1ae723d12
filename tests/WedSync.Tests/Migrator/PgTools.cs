using System.Diagnostics;
using Npgsql;

namespace WedSync.Tests.Migrator;

/// <summary>psql and pg_dump of the installed PostgreSQL, run against a connection string.</summary>
public static class PgTools
{
    public static string Find(string tool)
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            : Enumerable.Empty<string>();
        return versions.Select(d => Path.Combine(d, "bin", tool)).FirstOrDefault(File.Exists) ?? tool;
    }

    /// <summary>Runs the tool; throws with its stderr unless it exits 0. Returns stdout.</summary>
    public static async Task<string> RunAsync(string tool, string connectionString, params string[] args)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var startInfo = new ProcessStartInfo(Find(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["PGHOST"] = builder.Host;
        startInfo.Environment["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment["PGUSER"] = builder.Username;
        startInfo.Environment["PGPASSWORD"] = builder.Password;
        startInfo.Environment["PGDATABASE"] = builder.Database;
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
