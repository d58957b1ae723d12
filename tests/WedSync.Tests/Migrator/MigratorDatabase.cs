using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator;

/// <summary>A fresh database on the fixture's server, empty or already migrated, dropped afterwards.</summary>
public sealed class MigratorDatabase : IAsyncDisposable
{
    private readonly string serverConnectionString;

    private MigratorDatabase(string serverConnectionString, string name)
    {
        this.serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<MigratorDatabase> CreateAsync(AppHostFixture fixture)
    {
        var server = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Database = "postgres" }.ConnectionString;
        var database = new MigratorDatabase(server, $"mig_{Guid.NewGuid():N}");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database.Name}", connection);
        await create.ExecuteNonQueryAsync();
        return database;
    }

    /// <summary>
    /// A database as <c>up</c> of the embedded catalog leaves it, copied from the run's template
    /// (<see cref="MigratedTemplate"/>): for tests whose subject comes after the migration, not the migration from empty.
    /// </summary>
    public static async Task<MigratorDatabase> CreateMigratedAsync(AppHostFixture fixture)
    {
        var server = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Database = "postgres" }.ConnectionString;
        var database = new MigratorDatabase(server, $"mig_{Guid.NewGuid():N}");
        await MigratedTemplate.CopyAsync(server, database.Name);
        return database;
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
