using FastEndpoints;
using Npgsql;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Platform.Tenancy;

/// <summary>
/// Base of every endpoint that touches tenant data. It owns the request's <see cref="TenantSession"/>:
/// opens it before the handler, rolls it back on any exception, and runs the handler again (a few
/// times) when PostgreSQL reports a serialization failure or deadlock. The commit happens right before
/// the response is written (<see cref="TenantSessionCompletion"/>), so a client never sees a success
/// that was not committed.
/// </summary>
/// <remarks>
/// A base class rather than a pre/post-processor or middleware: processors cannot wrap the handler
/// (no retry) and post-processors run after the response has gone out; middleware would have to buffer
/// and re-read request bodies to retry. Here the bound, validated request is simply handled again.
/// </remarks>
public abstract class TenantEndpoint<TRequest, TResponse> : Endpoint<TRequest, TResponse>
    where TRequest : notnull
{
    private const int MaxAttempts = 3;

    private TenantSession? session;

    protected TenantSession Session => session ??= Resolve<TenantSession>();

    protected Caller Caller => Session.Caller;

    /// <summary>Service callers (signup, billing) act across organizations and have no profile of their own.</summary>
    protected virtual bool RequiresProfile => true;

    public sealed override async Task HandleAsync(TRequest req, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Caller caller;
                try
                {
                    caller = await Session.BeginAsync(User, ct, OpeningQueryFor(req), SessionBounds(), SessionSource());
                }
                catch (PostgresException exception) when (!PostgresErrors.IsRetryable(exception))
                {
                    // BeginAsync rolled the session back already.
                    if (await AnswerOpeningFailureAsync(exception))
                    {
                        return;
                    }

                    throw;
                }

                if (RequiresProfile && !caller.HasProfile)
                {
                    // Authenticated but unknown to every organization: nothing tenant-scoped to show.
                    await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Your account has no profile in any organization.");
                    return;
                }

                await HandleInSessionAsync(req, ct);

                // The handler left the answer to FastEndpoints' auto-send: commit before it writes.
                await Session.CommitAsync(ct);
                return;
            }
            catch (Exception exception) when (PostgresErrors.IsRetryable(exception) && attempt < MaxAttempts && !HttpContext.Response.HasStarted)
            {
                await Session.RollbackAfterFailureAsync();
                await Task.Delay(TimeSpan.FromMilliseconds((25 * attempt) + Random.Shared.Next(25)), ct);
            }
            catch
            {
                await Session.RollbackAfterFailureAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// The handler's first query, sent with the session's opening batch (one round trip less); its
    /// reader runs before <see cref="HandleInSessionAsync"/>, also when the caller has no profile.
    /// </summary>
    protected virtual OpeningQuery? OpeningQueryFor(TRequest req) => null;

    /// <summary>Transaction-local limits sent first in the opening batch (see <see cref="TenantSession.BeginAsync"/>); none by default.</summary>
    protected virtual NpgsqlBatchCommand? SessionBounds() => null;

    /// <summary>The pool the session opens on (see <see cref="TenantSession.BeginAsync"/>); the request pool by default.</summary>
    protected virtual NpgsqlDataSource? SessionSource() => null;

    /// <summary>
    /// Answers an error of the opening query that is an outcome of the request rather than a fault (a
    /// limit that concurrent requests used up while the opening query wrote); <c>false</c> lets it
    /// propagate. The session is already rolled back.
    /// </summary>
    protected virtual Task<bool> AnswerOpeningFailureAsync(PostgresException exception) => Task.FromResult(false);

    /// <summary>The use case, run inside the open <see cref="Session"/>; answer with <c>Send.*Async</c>.</summary>
    protected abstract Task HandleInSessionAsync(TRequest req, CancellationToken ct);
}
