using Npgsql;

namespace WedSync.Tests.Schema.Isolation;

/// <summary>
/// A transaction that runs as the API runs a request: <c>SET LOCAL ROLE wedsync_user</c> and the
/// tenant user's claims in <c>request.jwt.claims</c>. The owner connection would bypass RLS, so
/// isolation is only ever tested through this. Each statement runs under its own savepoint, so a
/// refused statement doesn't end the transaction and the next one is tested on its own.
/// </summary>
public sealed class RequestRoleSession : IDisposable
{
    public const string RequestRole = "wedsync_user";

    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;

    public RequestRoleSession(NpgsqlConnection connection, Tenant tenant)
    {
        this.connection = connection;
        transaction = connection.BeginTransaction();
        using var command = new NpgsqlCommand(
            $"SET LOCAL ROLE {RequestRole}; SELECT set_config('request.jwt.claims', @claims, true)", connection, transaction);
        command.Parameters.AddWithValue("claims", tenant.Claims);
        command.ExecuteNonQuery();

        using var check = new NpgsqlCommand("SELECT current_user::text, app.current_organization_id()", connection, transaction);
        using var reader = check.ExecuteReader();
        reader.Read();
        if (reader.GetString(0) != RequestRole || reader.IsDBNull(1) || reader.GetGuid(1) != tenant.OrganizationId)
        {
            throw new InvalidOperationException($"The session is not {RequestRole} acting for {tenant}; the isolation checks would prove nothing.");
        }
    }

    public StatementOutcome Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Execute(command);
    }

    public StatementOutcome Execute(NpgsqlCommand command)
    {
        command.Connection = connection;
        command.Transaction = transaction;
        transaction.Save("statement");
        try
        {
            var rows = command.ExecuteNonQuery();
            transaction.Release("statement");
            return new StatementOutcome(rows, null);
        }
        catch (PostgresException error)
        {
            transaction.Rollback("statement");
            return new StatementOutcome(0, error);
        }
    }

    /// <summary>count(*) of a query as this tenant; a refused read (no SELECT grant) counts nothing.</summary>
    public long Count(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        transaction.Save("count");
        try
        {
            var count = (long)command.ExecuteScalar()!;
            transaction.Release("count");
            return count;
        }
        catch (PostgresException error) when (error.SqlState == StatementOutcome.InsufficientPrivilege)
        {
            transaction.Rollback("count");
            return 0;
        }
    }

    /// <summary>Commits whatever the tenant managed to do, so the owner can check it really did nothing.</summary>
    public void Commit() => transaction.Commit();

    public void Dispose() => transaction.Dispose();
}
