using System.Globalization;
using Npgsql;

namespace WedSync.Api.Features.Monitoring.Sampling;

/// <summary>
/// The lease that makes one API instance the sampler of a database: a row of monitoring_sampler_lease
/// taken or renewed by one autocommit statement each tick, on the database's clock. Unlike a session
/// advisory lock it holds behind a transaction pooler (PgBouncer pool_mode=transaction), where
/// instances share server sessions and a session lock is re-entered by whichever client lands on it.
/// A holder that stops renewing (stopped, crashed, cut off) loses the lease after <c>ttl</c>; one
/// that stops cleanly gives it up at once.
/// </summary>
public sealed class SamplerLease(NpgsqlDataSource dataSource, TimeSpan ttl, string name = SamplerLease.Name) : IAsyncDisposable
{
    public const string Name = "sampler";

    // The conflict's WHERE is evaluated on the row as locked, so of two instances racing for an
    // expired lease exactly one gets it. A row comes back only while this instance holds the lease.
    private const string HoldSql = """
        INSERT INTO monitoring_sampler_lease AS l (name, holder, acquired_at, renewed_at, expires_at)
        VALUES (@name, @holder, now(), now(), now() + @ttl)
        ON CONFLICT (name) DO UPDATE
            SET holder = excluded.holder,
                acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE now() END,
                renewed_at = now(),
                expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at < now()
        RETURNING l.holder
        """;

    private const string ReleaseSql = """
        UPDATE monitoring_sampler_lease SET expires_at = '-infinity'
        WHERE name = @name AND holder = @holder
        """;

    private bool held;

    /// <summary>This instance as the lease names it: host, process and a random part.</summary>
    public string Holder { get; } = string.Create(CultureInfo.InvariantCulture,
        $"{Environment.MachineName[..Math.Min(Environment.MachineName.Length, 140)]}:{Environment.ProcessId}:{Guid.NewGuid():N}");

    /// <summary>True when this instance holds the lease now (taken now, or renewed for another <c>ttl</c>).</summary>
    public async Task<bool> TryHoldAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(HoldSql);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("holder", Holder);
        command.Parameters.AddWithValue("ttl", ttl);
        held = await command.ExecuteScalarAsync(ct) is string;
        return held;
    }

    /// <summary>Gives the lease up so that another instance takes over at its next tick.</summary>
    public async Task ReleaseAsync()
    {
        if (!held)
        {
            return;
        }

        held = false;
        try
        {
            await using var command = dataSource.CreateCommand(ReleaseSql);
            command.Parameters.AddWithValue("name", name);
            command.Parameters.AddWithValue("holder", Holder);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await command.ExecuteNonQueryAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException)
        {
            // Unreachable database: the lease expires on its own.
        }
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync();
}
