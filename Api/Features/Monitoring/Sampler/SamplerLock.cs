using Npgsql;

namespace WedSync.Api.Features.Monitoring.Sampler;

/// <summary>
/// The session-level advisory lock that makes one API instance the sampler. It lives on a connection
/// of its own that stays open while held; if that connection breaks, PostgreSQL releases the lock and
/// another instance (or this one, next interval) takes over.
/// </summary>
public sealed class SamplerLock(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    /// <summary>An arbitrary application-wide key: "WS" and 154.</summary>
    public const long Key = 0x5753_0154;

    private NpgsqlConnection? connection;
    private bool held;

    /// <summary>True when this instance holds the lock (taken now or earlier and its connection still answers).</summary>
    public async Task<bool> TryHoldAsync(CancellationToken ct)
    {
        try
        {
            connection ??= await dataSource.OpenConnectionAsync(ct);
            // Held: a round trip proves the connection (and with it the lock) is still alive.
            await using var command = held
                ? new NpgsqlCommand("SELECT true", connection)
                : new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection) { Parameters = { new("key", Key) } };
            held = await command.ExecuteScalarAsync(ct) is true;
            return held;
        }
        catch
        {
            await ReleaseAsync();
            throw;
        }
    }

    /// <summary>Closing the session releases a session-level lock; the pool's reset would too, but closing is explicit.</summary>
    public async Task ReleaseAsync()
    {
        held = false;
        if (connection is not null)
        {
            var closing = connection;
            connection = null;
            try
            {
                await closing.DisposeAsync();
            }
            catch (NpgsqlException)
            {
                // A broken connection has nothing left to release.
            }
        }
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync();
}
