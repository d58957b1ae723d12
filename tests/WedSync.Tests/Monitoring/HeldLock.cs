using Npgsql;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// A lock another session holds while a test reads the monitoring API, as an operator's psql or a
/// migration would: LOCK TABLE in an open transaction, or an ALTER TABLE that waits behind a reader and
/// so queues every later reader of the table. Released (rolled back) on dispose.
/// </summary>
public sealed class HeldLock : IAsyncDisposable
{
    private readonly AppHostFixture fixture;
    private readonly NpgsqlConnection holder;
    private readonly NpgsqlTransaction transaction;
    private readonly (int Pid, Task Running, NpgsqlConnection Connection)? alter;

    private HeldLock(AppHostFixture fixture, NpgsqlConnection holder, NpgsqlTransaction transaction, (int, Task, NpgsqlConnection)? alter)
    {
        this.fixture = fixture;
        this.holder = holder;
        this.transaction = transaction;
        this.alter = alter;
    }

    /// <summary>ACCESS EXCLUSIVE on <paramref name="relation"/>, held until dispose.</summary>
    public static async Task<HeldLock> AccessExclusiveAsync(AppHostFixture fixture, string relation)
    {
        var holder = fixture.OpenDatabase();
        var transaction = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"LOCK TABLE {relation} IN ACCESS EXCLUSIVE MODE", holder, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new HeldLock(fixture, holder, transaction, null);
    }

    /// <summary>A reader's open transaction on <paramref name="relation"/> and an ALTER TABLE waiting behind it (rolled back if it ever runs).</summary>
    public static async Task<HeldLock> QueuedAlterAsync(AppHostFixture fixture, string relation)
    {
        var holder = fixture.OpenDatabase();
        var transaction = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"SELECT count(*) FROM (SELECT 1 FROM {relation} LIMIT 1) r", holder, transaction))
        {
            await command.ExecuteScalarAsync();
        }

        var alter = await fixture.RunInOtherSessionAsync(
            $"BEGIN; SET LOCAL lock_timeout = 0; ALTER TABLE {relation} ADD COLUMN drill_queued_alter integer; ROLLBACK;");
        var waiting = await MonitoringCalls.PollAsync(
            async () => (long)(await fixture.ExecuteAsync("SELECT count(*) FROM pg_stat_activity WHERE pid = @pid AND wait_event_type = 'Lock'", ("pid", alter.Pid)))!,
            count => count == 1, TimeSpan.FromSeconds(20));
        Assert.Equal(1, waiting);
        return new HeldLock(fixture, holder, transaction, alter);
    }

    public async ValueTask DisposeAsync()
    {
        if (alter is { } queued)
        {
            await fixture.ExecuteAsync("SELECT pg_cancel_backend(@pid)", ("pid", queued.Pid));
            try
            {
                await queued.Running;
            }
            catch (PostgresException)
            {
                // Cancelled: the ALTER never ran.
            }

            await queued.Connection.DisposeAsync();
        }

        await transaction.RollbackAsync();
        await holder.DisposeAsync();
    }
}
