using Npgsql;
using WedSync.Api.Platform.Database;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>The API's sessions run without JIT compilation unless the connection string decides otherwise.</summary>
[Collection(AppHostCollection.Name)]
public sealed class DatabaseOptionsTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData(null, "off")]
    [InlineData("-c statement_timeout=30s", "off")]
    [InlineData("-c jit=on", "on")]
    public async Task Sessions_get_jit_off_unless_the_connection_string_sets_it(string? options, string expected)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString)
        {
            Options = DatabaseSetup.WithoutJit(options),
        };
        await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW jit", connection);
        Assert.Equal(expected, await command.ExecuteScalarAsync());
        if (options is not null)
        {
            Assert.StartsWith(options, connectionString.Options, StringComparison.Ordinal);
        }
    }

    /// <summary>Hot statements are prepared (issue 16, "Faster") unless the connection string decides.</summary>
    [Theory]
    [InlineData("", DatabaseSetup.AutoPreparedStatements)]
    [InlineData("Max Auto Prepare=0", 0)]
    [InlineData("Max Auto Prepare=5", 5)]
    public void Statements_are_auto_prepared_unless_the_connection_string_sets_it(string setting, int expected)
    {
        var connection = new NpgsqlConnectionStringBuilder($"Host=localhost;{setting}");

        DatabaseSetup.WithAutoPrepare(connection);

        Assert.Equal(expected, connection.MaxAutoPrepare);
    }
}
