using System.Security.Claims;
using Npgsql;
using WedSync.Api.Platform.Database;

namespace WedSync.Api.Platform.Tenancy;

/// <summary>
/// The request's one database transaction for tenant work, run as the request role with the
/// caller's claims set, so that row-level security decides what the request sees and may change.
/// Scoped per request; opened by <see cref="TenantEndpoint{TRequest,TResponse}"/>.
/// </summary>
public sealed class TenantSession(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    /// <summary>The NOLOGIN role of the platform foundation migration; it has no BYPASSRLS.</summary>
    public const string RequestRole = "wedsync_user";

    // OFFSET 0 keeps the subquery apart, so the caller's organization is looked up once.
    private const string CallerSql = """
        SELECT u, o, r, CASE WHEN o IS NOT NULL THEN set_config('application_name', @tag || o::text, true) END
        FROM (SELECT app.current_user_id() AS u, app.current_organization_id() AS o, app.current_role() AS r OFFSET 0) AS caller
        """;

    private NpgsqlConnection? connection;
    private NpgsqlTransaction? transaction;

    public bool IsOpen => transaction is not null;

    public Caller Caller { get; private set; } = new(null, [], null, null);

    /// <summary>
    /// Opens the transaction in a single round trip: Npgsql sends BEGIN with the batch, and the batch
    /// switches role, sets the claims and reads the caller's profile through the same helpers RLS uses.
    /// </summary>
    /// <param name="opening">
    /// One more statement for the opening batch, run after the claims are set (so with the caller's
    /// identity), and the reader of its result; saves a round trip for an endpoint's first query.
    /// </param>
    /// <param name="bounds">
    /// A statement sent first in the opening batch that sets transaction-local limits (lock_timeout,
    /// statement_timeout, application_name) for everything the request runs; it must return one result set.
    /// </param>
    /// <param name="source">Another pool to open the session on (monitoring reads have one kept for them); the request pool by default.</param>
    public async Task<Caller> BeginAsync(
        ClaimsPrincipal user, CancellationToken ct, OpeningQuery? opening = null, NpgsqlBatchCommand? bounds = null, NpgsqlDataSource? source = null)
    {
        if (IsOpen)
        {
            throw new InvalidOperationException("The tenant session is already open.");
        }

        connection = await (source ?? dataSource).OpenConnectionAsync(ct);
        try
        {
            transaction = await connection.BeginTransactionAsync(ct);
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    // A constant, not a parameter: SET takes no bind parameters, and the role is ours.
                    new NpgsqlBatchCommand($"SET LOCAL ROLE {RequestRole}"),
                    new NpgsqlBatchCommand("SELECT set_config('request.jwt.claims', @claims, true)")
                    {
                        Parameters = { new NpgsqlParameter("claims", RequestClaims.ToJson(user)) },
                    },
                    // Also tags the transaction with its organization (SET LOCAL: it ends with the transaction, so it holds behind a transaction pooler) for the wait sampler.
                    new NpgsqlBatchCommand(CallerSql)
                    {
                        Parameters = { new NpgsqlParameter("tag", ApplicationNameTag.OrganizationPrefix) },
                    },
                },
            };
            if (opening is not null)
            {
                batch.BatchCommands.Add(opening.Command);
            }

            if (bounds is not null)
            {
                batch.BatchCommands.Insert(0, bounds);
            }

            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (bounds is not null)
            {
                await reader.NextResultAsync(ct);
            }

            // The SET returns no result set; the first one is set_config's, the second the caller's.
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            Caller = new Caller(
                reader.IsDBNull(0) ? null : reader.GetGuid(0),
                user.FindAll(Auth.ClaimNames.Roles).Select(claim => claim.Value).ToArray(),
                reader.IsDBNull(1) ? null : reader.GetGuid(1),
                reader.IsDBNull(2) ? null : reader.GetString(2));
            if (opening is not null)
            {
                await reader.NextResultAsync(ct);
                await opening.ReadAsync(reader, ct);
            }

            return Caller;
        }
        catch
        {
            await RollbackAfterFailureAsync();
            throw;
        }
    }

    public NpgsqlCommand CreateCommand(string sql) => new(sql, Connection, transaction);

    public NpgsqlBatch CreateBatch() => new(Connection, transaction);

    public async Task CommitAsync(CancellationToken ct)
    {
        if (transaction is null)
        {
            return;
        }

        try
        {
            await transaction.CommitAsync(ct);
        }
        finally
        {
            await CloseAsync();
        }
    }

    /// <summary>Rolls back a request that answered without a failed statement; safe when nothing is open.</summary>
    public Task RollbackAsync() => RollbackAsync(statementFailed: false);

    /// <summary>
    /// Rolls back after an exception (a statement may have failed) and leaves the pooled connection with
    /// nothing prepared that the failure could have corrupted (<see cref="PreparedStatementReset"/>).
    /// </summary>
    public Task RollbackAfterFailureAsync() => RollbackAsync(statementFailed: true);

    private async Task RollbackAsync(bool statementFailed)
    {
        try
        {
            if (transaction is not null && connection is { State: System.Data.ConnectionState.Open })
            {
                await transaction.RollbackAsync(CancellationToken.None);
                if (statementFailed)
                {
                    PreparedStatementReset.AfterFailure(connection);
                }
            }
        }
        catch (NpgsqlException)
        {
            // A broken connection has no transaction left to roll back; closing it below is enough.
        }
        finally
        {
            await CloseAsync();
        }
    }

    // Still open at disposal: the request ended by a path that neither committed nor rolled back.
    public async ValueTask DisposeAsync() => await RollbackAfterFailureAsync();

    private NpgsqlConnection Connection =>
        connection ?? throw new InvalidOperationException("The tenant session is not open: tenant endpoints derive from TenantEndpoint.");

    private async Task CloseAsync()
    {
        if (transaction is not null)
        {
            await transaction.DisposeAsync();
            transaction = null;
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
        }
    }
}

/// <summary>A statement that rides in the session's opening batch, and what reads its result.</summary>
public sealed record OpeningQuery(NpgsqlBatchCommand Command, Func<NpgsqlDataReader, CancellationToken, Task> ReadAsync);
