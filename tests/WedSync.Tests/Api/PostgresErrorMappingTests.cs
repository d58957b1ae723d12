using Npgsql;
using WedSync.Api.Platform.Problems;

namespace WedSync.Tests.Api;

/// <summary>What each PostgreSQL error becomes for the client, and which ones are run again.</summary>
public sealed class PostgresErrorMappingTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation, 409)]
    [InlineData(PostgresErrorCodes.CheckViolation, 422)]
    [InlineData(PostgresErrorCodes.ForeignKeyViolation, 422)]
    [InlineData(PostgresErrorCodes.SerializationFailure, 503)]
    [InlineData(PostgresErrorCodes.DeadlockDetected, 503)]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, 403)]
    public void Sqlstate_maps_to_status(string sqlState, int status)
    {
        var mapping = PostgresErrors.Map(Error(sqlState));

        Assert.NotNull(mapping);
        Assert.Equal(status, mapping.Status);
        Assert.DoesNotContain("constraint", mapping.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Unknown_sqlstate_is_not_mapped_and_so_becomes_500()
    {
        Assert.Null(PostgresErrors.Map(Error(PostgresErrorCodes.UndefinedTable)));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure, true)]
    [InlineData(PostgresErrorCodes.DeadlockDetected, true)]
    [InlineData(PostgresErrorCodes.UniqueViolation, false)]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, false)]
    public void Only_serialization_failures_and_deadlocks_are_retried(string sqlState, bool retried)
    {
        Assert.Equal(retried, PostgresErrors.IsRetryable(Error(sqlState)));
    }

    private static PostgresException Error(string sqlState) => new("test", "ERROR", "ERROR", sqlState);
}
