using Npgsql;

namespace WedSync.Migrations.Engine;

/// <summary>
/// The one connection pool of a migrator command: the bootstrap probe, the lock's connection, the
/// journal and the scripts all come from it.
/// </summary>
public static class MigratorDataSource
{
    public const string ApplicationName = "wedsync-migrator";

    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
        }

        // Loading the server's type catalog is a large query per new pool, and the migrator reads only
        // built-in types (text, integers, booleans, timestamps): skip it, on a start that is most of a run.
        builder.ConfigureTypeLoading(typeLoading => typeLoading.EnableTypeLoading(false));
        return builder.Build();
    }
}
