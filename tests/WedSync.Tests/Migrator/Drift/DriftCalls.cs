using Npgsql;
using WedSync.Migrations.Drift;

namespace WedSync.Tests.Migrator.Drift;

/// <summary>The drift tests' steps: the real migrator's up, changes by hand, and the live fingerprint.</summary>
public static class DriftCalls
{
    /// <summary>The change, as a migration: a column in a transaction, the index built concurrently.</summary>
    public static readonly (string Name, string Contents)[] ReferralsXMigration =
    [
        ("29990101000000_ws991_referrals_x.sql", "SET LOCAL lock_timeout = '5s';\nALTER TABLE referrals ADD COLUMN IF NOT EXISTS x int;\n"),
        ("29990101000001_ws991_referrals_x_index.sql", "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referrals_x ON referrals (x);\n"),
    ];

    public static async Task UpAsync(string connectionString, params string[] args)
    {
        var (exitCode, output) = await MigratorProcess.RunAsync(connectionString, ["up", .. args]);
        Assert.True(exitCode == 0, output);
    }

    public static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The live schema, object by object (kind, name, hash of the definition), sorted.</summary>
    public static async Task<IReadOnlyList<string>> LiveFingerprintAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var pin = new NpgsqlCommand(SchemaFingerprint.PinSearchPathSql, connection, transaction))
        {
            await pin.ExecuteNonQueryAsync();
        }

        var objects = await SchemaFingerprint.ReadAsync(connection, transaction, CancellationToken.None);
        return objects.Select(o => $"{o.Kind}|{o.Name}|{o.Hash}").Order(StringComparer.Ordinal).ToList();
    }
}
