using Npgsql;

namespace WedSync.Api.Platform.Database;

/// <summary>
/// Makes a connection that met an error safe to hand to the next request: forgets every statement
/// Npgsql prepared on it, on the server (DEALLOCATE ALL) and in Npgsql's own bookkeeping.
/// </summary>
/// <remarks>
/// Npgsql (10.0.3, npgsql#6391) prepares a statement in the same round trip as its execution once it
/// reaches AutoPrepareMinUsages. When that execution fails (a value PostgreSQL refuses while planning
/// with it, a constraint, a RAISE), Npgsql still records the statement as prepared but without the
/// row description the failed round trip never delivered; the next command with the same SQL on that
/// connection then meets a DataRow it cannot read ("unexpected backend message DataRow", a 500 for an
/// innocent request). Only failure paths pay this one round trip; the statements are re-prepared later.
/// </remarks>
public static class PreparedStatementReset
{
    public static void AfterFailure(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            // Synchronous only in Npgsql; runs on failure paths only.
            connection.UnprepareAll();
        }
        catch (NpgsqlException)
        {
            // A broken connection is not returned to the pool: nothing is left to forget.
        }
        catch (InvalidOperationException)
        {
            // The connection is busy or closing: the pool discards it rather than reuse it.
        }
    }
}
