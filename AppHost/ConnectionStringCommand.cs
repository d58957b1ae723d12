using System.Data.Common;

namespace WedSync.AppHost;

/// <summary>
/// <c>connection-string</c> on the database resource (dashboard, <c>aspire resource wedsync connection-string</c>):
/// the database's address as a libpq URI for <c>psql</c>, whose port changes every start and whose password
/// sits in the AppHost's user secrets. The .NET form is on the resource's details page already.
/// </summary>
public static class ConnectionStringCommand
{
    public const string Name = "connection-string";

    /// <summary>The same in Npgsql's form, for <c>ConnectionStrings__wedsync</c> of the migrator or the API started by hand.</summary>
    public const string DotnetName = "dotnet-connection-string";

    public static IResourceBuilder<T> WithPsqlConnectionStringCommand<T>(this IResourceBuilder<T> database)
        where T : IResourceWithConnectionString
    {
        database.WithCommand(Name, "Connection string for psql", async context =>
        {
            var value = await database.Resource.ConnectionStringExpression.GetValueAsync(context.CancellationToken);
            return value is null
                ? CommandResults.Failure("The database has no connection string yet: it is not running.")
                : CommandResults.Success("psql \"<this URI>\"", ToLibpqUri(value), CommandResultFormat.Text);
        }, new CommandOptions
        {
            Description = "The database's connection string as a postgresql:// URI: psql \"$(aspire resource wedsync connection-string)\" or paste it after psql.",
            IconName = "Key",
        });
        database.WithCommand(DotnetName, "Connection string for .NET", async context =>
        {
            var value = await database.Resource.ConnectionStringExpression.GetValueAsync(context.CancellationToken);
            return value is null
                ? CommandResults.Failure("The database has no connection string yet: it is not running.")
                : CommandResults.Success("ConnectionStrings__wedsync=\"<this>\"", value, CommandResultFormat.Text);
        }, new CommandOptions
        {
            Description = "The database's connection string as Npgsql reads it: ConnectionStrings__wedsync for the migrator or the API started by hand.",
            IconName = "Key",
        });
        return database;
    }

    /// <summary>Npgsql's keyword form (Host=…;Port=…) to the URI every libpq client reads.</summary>
    public static string ToLibpqUri(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string? Get(string key) => parts.TryGetValue(key, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;
        var user = Uri.EscapeDataString(Get("Username") ?? Get("User ID") ?? "postgres");
        var password = Get("Password") is { } p ? ":" + Uri.EscapeDataString(p) : "";
        var host = Get("Host") ?? Get("Server") ?? "localhost";
        var port = Get("Port") is { } n ? ":" + n : "";
        var database = Uri.EscapeDataString(Get("Database") ?? "postgres");
        return $"postgresql://{user}{password}@{host}{port}/{database}";
    }
}
