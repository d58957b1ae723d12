using Npgsql;

namespace WedSync.Api.Platform.Database;

public static class DatabaseSetup
{
    public const string ConnectionName = "wedsync";

    /// <summary>
    /// The API's data source (with Aspire's health check, metrics and tracing), with PostgreSQL's JIT
    /// compilation off for its sessions unless the connection string's <c>Options</c> already decide it.
    /// </summary>
    /// <remarks>
    /// The API runs short statements over large tables: their estimated cost passes jit_above_cost
    /// while they execute in milliseconds, and compiling them took ~350 ms per call (bench/, the
    /// analytics daily series at 1M referrals: 390 ms with JIT, 24 ms without).
    /// PgBouncer refuses unknown startup parameters: there, list <c>options</c> in ignore_startup_parameters
    /// (which drops it) and set jit off on the database or the API's login role.
    /// </remarks>
    public static IHostApplicationBuilder AddWedSyncDatabase(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: dataSource =>
            dataSource.ConnectionStringBuilder.Options = WithoutJit(dataSource.ConnectionStringBuilder.Options));
        return builder;
    }

    public static string WithoutJit(string? options) =>
        options switch
        {
            null or "" => "-c jit=off",
            _ when options.Contains("jit", StringComparison.OrdinalIgnoreCase) => options,
            _ => $"{options} -c jit=off",
        };
}
