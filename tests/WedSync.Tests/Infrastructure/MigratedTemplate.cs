using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using WedSync.Migrations.Catalog;
using WedSync.Tests.Migrator;

namespace WedSync.Tests.Infrastructure;

/// <summary>
/// A database migrated with the embedded catalog once per server, then copied for each test with
/// <c>CREATE DATABASE … TEMPLATE</c> (a file copy) instead of migrating again. Its name carries the
/// catalog's checksum, so a template made from other scripts is never taken for this one.
/// </summary>
public static class MigratedTemplate
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Templates = new();

    /// <summary>SHA-256 of the embedded scripts (names and texts, in catalog order) and the request manifest.</summary>
    public static string CatalogChecksum { get; } = ComputeChecksum();

    /// <summary>The template's name on every server: the checksum keys its staleness.</summary>
    public static string Name { get; } = $"wedsync_template_{CatalogChecksum[..16]}";

    /// <summary>A new database <paramref name="name"/> holding the migrated schema and journal, as <c>up</c> leaves them.</summary>
    public static async Task CopyAsync(string serverConnectionString, string name)
    {
        var template = await EnsureAsync(serverConnectionString);
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, $"CREATE DATABASE {name} TEMPLATE {template}");
    }

    /// <summary>Makes the template on this server once per test run (reused when one of this checksum is complete).</summary>
    public static Task<string> EnsureAsync(string serverConnectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres" };
        var key = $"{server.Host}:{server.Port}";
        var lazy = Templates.GetOrAdd(key, _ => new Lazy<Task<string>>(() => CreateAsync(server.ConnectionString)));
        return lazy.Value;
    }

    private static async Task<string> CreateAsync(string serverConnectionString)
    {
        // Built under a name of its own and renamed when complete, so a database under the template's name is
        // never half-migrated, whoever else builds one on this server at the same time.
        var building = $"{Name}_build_{Guid.NewGuid():N}"[..63];
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            if (await ExistsAsync(connection, Name))
            {
                return Name;
            }

            await ExecuteAsync(connection, $"CREATE DATABASE {building}");
        }

        var template = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = building, Pooling = false }.ConnectionString;
        var migrated = await TestScripts.Engine(template).UpAsync(CancellationToken.None);
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            if (!migrated.Succeeded)
            {
                await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
                throw new InvalidOperationException($"The template database could not be migrated: {migrated.Error}");
            }

            try
            {
                await ExecuteAsync(connection, $"ALTER DATABASE {building} RENAME TO {Name}");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Another builder finished first: its template is the same catalog's.
                await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
                return Name;
            }

            // No session may stay connected to a template, or copying it fails ("being accessed by other users").
            await ExecuteAsync(connection, $"ALTER DATABASE {Name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        }

        return Name;
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string name)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", connection);
        command.Parameters.AddWithValue(name);
        return await command.ExecuteScalarAsync() is true;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>SHA-256 over the scripts' names and texts, in order, and the request manifest's bytes.</summary>
    public static string ChecksumOf(IEnumerable<SqlScript> scripts, byte[] manifest)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var script in scripts)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{script.Name}\n{script.Contents}\n"));
        }

        hash.AppendData(manifest);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string ComputeChecksum()
    {
        var assembly = typeof(ScriptCatalog).Assembly;
        using var bytes = new MemoryStream();
        using (var manifest = assembly.GetManifestResourceStream($"{assembly.GetName().Name}.Catalog.RequestManifest.json"))
        {
            manifest?.CopyTo(bytes);
        }

        return ChecksumOf(ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder).Scripts, bytes.ToArray());
    }
}
