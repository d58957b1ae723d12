using Npgsql;
using WedSync.Api.Features.Monitoring.Sessions;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Sessions.RollbackPreparedTransaction;

/// <summary>
/// ROLLBACK PREPARED for a platform admin: the audit event is written in the request's transaction
/// (monitoring_audit_prepared_rollback, which checks the caller and reads the target), the rollback runs on
/// a connection of its own to the transaction's database (it cannot run in a transaction block, nor from
/// another database), and the audit commits only when the rollback worked.
/// </summary>
public static class PreparedRollback
{
    private const string AuditSql = """
        SELECT set_config('request.client_ip', @ip, true), set_config('request.user_agent', @agent, true);
        SELECT status, event_id, database_name, owner_name FROM monitoring_audit_prepared_rollback(@gid);
        """;

    public static async Task<(Response? Done, Refusal? Refusal)> RollBackAsync(
        IConfiguration configuration, TenantSession session, string gid, string clientIp, string userAgent, CancellationToken ct)
    {
        string status, database, owner;
        Guid eventId;
        await using (var command = session.CreateCommand(AuditSql))
        {
            command.Parameters.AddWithValue("ip", clientIp);
            command.Parameters.AddWithValue("agent", userAgent);
            command.Parameters.AddWithValue("gid", gid);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            status = reader.GetString(0);
            if (status != "found")
            {
                return (null, new Refusal(StatusCodes.Status404NotFound, $"No prepared transaction with gid {SessionKinds.Literal(gid)} (pg_prepared_xacts)."));
            }

            (eventId, database, owner) = (reader.GetGuid(1), reader.GetString(2), reader.GetString(3));
        }

        var sql = SessionKinds.RollbackSql(gid);
        var byHand = $"Run {sql} in database {database} as {owner} or a superuser.";
        try
        {
            var target = new NpgsqlConnectionStringBuilder(DatabaseSetup.DirectConnectionString(configuration)) { Database = database, Pooling = false };
            await using var connection = new NpgsqlConnection(target.ConnectionString);
            await connection.OpenAsync(ct);
            await using var rollback = new NpgsqlCommand(sql, connection);
            await rollback.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedObject)
        {
            await session.RollbackAsync();
            return (null, new Refusal(StatusCodes.Status404NotFound, $"The prepared transaction ended meanwhile (committed or rolled back): {e.MessageText}."));
        }
        catch (PostgresException e)
        {
            await session.RollbackAsync();
            return (null, new Refusal(StatusCodes.Status409Conflict, $"PostgreSQL refused the rollback ({e.SqlState}: {e.MessageText}). {byHand}"));
        }
        catch (NpgsqlException e)
        {
            await session.RollbackAsync();
            return (null, new Refusal(StatusCodes.Status409Conflict, $"The API could not reach database {database} ({e.Message}). {byHand}"));
        }

        await session.CommitAsync(ct);
        return (new Response(gid, database, owner, "rolled_back", eventId), null);
    }
}
