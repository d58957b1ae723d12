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
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            // A template is marked only once migrated; one left unmarked by an aborted run is made again.
            await using var check = new NpgsqlCommand("SELECT datistemplate FROM pg_database WHERE datname = $1", connection);
            check.Parameters.AddWithValue(Name);
            switch (await check.ExecuteScalarAsync())
            {
                case true:
                    return Name;
                case false:
                    await ExecuteAsync(connection, $"DROP DATABASE {Name} WITH (FORCE)");
                    break;
            }

            await ExecuteAsync(connection, $"CREATE DATABASE {Name}");
        }

        var template = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = Name, Pooling = false }.ConnectionString;
        var migrated = await TestScripts.Engine(template).UpAsync(CancellationToken.None);
        if (!migrated.Succeeded)
        {
            throw new InvalidOperationException($"The template database could not be migrated: {migrated.Error}");
        }

        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            // No session may stay connected to a template, or copying it fails ("being accessed by other users").
            await ExecuteAsync(connection, $"ALTER DATABASE {Name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        }

        return Name;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string ComputeChecksum()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var script in ScriptCatalog.Embedded(ScriptCatalog.SchemaFolder).Scripts)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{script.Name}\n{script.Contents}\n"));
        }

        var assembly = typeof(ScriptCatalog).Assembly;
        using (var manifest = assembly.GetManifestResourceStream($"{assembly.GetName().Name}.Catalog.RequestManifest.json"))
        {
            if (manifest is not null)
            {
                using var bytes = new MemoryStream();
                manifest.CopyTo(bytes);
                hash.AppendData(bytes.ToArray());
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
