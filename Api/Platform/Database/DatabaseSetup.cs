using Npgsql;

namespace WedSync.Api.Platform.Database;

public static class DatabaseSetup
{
    public const string ConnectionName = "wedsync";

    /// <summary>The server itself when <see cref="ConnectionName"/> goes through a transaction pooler (the AppHost's fleet).</summary>
    public const string DirectConnectionName = "wedsync-direct";

    /// <summary>
    /// For sessions a transaction pooler cannot keep (monitoring's kept pools and listener, another database's
    /// prepared transaction): the direct server when one is named, else the API's own connection string.
    /// </summary>
    public static string? DirectConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(DirectConnectionName) is { Length: > 0 } direct ? direct : configuration.GetConnectionString(ConnectionName);

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
        {
            dataSource.ConnectionStringBuilder.Options = WithoutJit(dataSource.ConnectionStringBuilder.Options);
            WithAutoPrepare(dataSource.ConnectionStringBuilder);
        });
        return builder;
    }

    /// <summary>Statements the API runs at least this often on a connection are prepared on it.</summary>
    public const int AutoPreparedStatements = 64;

    /// <summary>
    /// Prepares the API's hot statements on each pooled connection (Npgsql's automatic preparation)
    /// unless the connection string decides it (<c>Max Auto Prepare</c>). Parsing and planning the same
    /// few statements on every request was a large share of PostgreSQL's CPU on the create path
    /// (bench/FINDINGS.md); with prepared statements on a connection, Npgsql's pool reset also keeps the
    /// plans PL/pgSQL functions cached in that session, which DISCARD ALL would drop. Every request's
    /// state is transaction-scoped (SET LOCAL ROLE, set_config(..., true)), so the reset still leaves
    /// nothing behind. Behind PgBouncer in transaction mode, prepared statements need PgBouncer 1.21+
    /// with max_prepared_statements set; otherwise put <c>Max Auto Prepare=0</c> in the connection string.
    /// </summary>
    public static void WithAutoPrepare(NpgsqlConnectionStringBuilder connection)
    {
        // ContainsKey answers whether the keyword exists at all; the connection string lists what was set.
        if (!connection.ConnectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            connection.MaxAutoPrepare = AutoPreparedStatements;
            connection.AutoPrepareMinUsages = 2;
        }
    }

    public static string WithoutJit(string? options) =>
        options switch
        {
            null or "" => "-c jit=off",
            _ when options.Contains("jit", StringComparison.OrdinalIgnoreCase) => options,
            _ => $"{options} -c jit=off",
        };
}
