using System.Text.Json;
using Npgsql;

namespace WedSync.Tests.Drill;

/// <summary>
/// The drill's own eyes on the server, independent of the product: every 50 ms, who waits on a lock
/// (since when, behind whom) and how many client connections are open, by the server's clock. From this
/// the drill knows when each count threshold was really crossed, to time the product's detection against.
/// Its connection is opened before an incident, so connection exhaustion cannot blind it. The API's own
/// bounded monitoring reads are not waiters here, as they are not for the product's detector.
/// </summary>
public sealed class IncidentWatch : IAsyncDisposable
{
    private const string Sql = """
        SELECT clock_timestamp(),
               (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend'),
               current_setting('max_connections')::int,
               coalesce((SELECT json_agg(json_build_object('pid', w.pid, 'blockers', pg_blocking_pids(w.pid), 'waitstart', l.waitstart))
                         FROM pg_stat_activity w
                         CROSS JOIN LATERAL (SELECT min(k.waitstart) AS waitstart FROM pg_locks k WHERE k.pid = w.pid AND NOT k.granted) l
                         WHERE w.wait_event_type = 'Lock' AND l.waitstart IS NOT NULL
                           AND w.application_name IS DISTINCT FROM 'wedsync-monitoring'), '[]')::text
        """;

    private readonly NpgsqlConnection connection;
    private readonly CancellationTokenSource stop = new();
    private readonly List<(DateTimeOffset At, List<(DateTimeOffset WaitStart, int[] Blockers)> Waiters)> snapshots = [];
    private readonly List<(DateTimeOffset At, int Connections, int Max)> connections = [];
    private Task? loop;

    public IncidentWatch(NpgsqlConnection connection) => this.connection = connection;

    public void Start() => loop = Task.Run(() => RunAsync(stop.Token));

    public async Task StopAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }
    }

    /// <summary>
    /// When <paramref name="n"/> sessions first waited behind <paramref name="blocker"/> at once (pid 0: a
    /// prepared transaction): in the first snapshot that saw n, the n-th of them to begin waiting.
    /// </summary>
    public DateTimeOffset? WaitersReached(int blocker, int n) => snapshots
        .Select(s => s.Waiters.Where(w => w.Blockers.Contains(blocker)).Select(w => w.WaitStart).Order().ToList())
        .Where(starts => starts.Count >= n)
        .Select(starts => (DateTimeOffset?)starts[n - 1])
        .FirstOrDefault();

    /// <summary>When a wait behind <paramref name="blocker"/> first lasted <paramref name="length"/> (seen still waiting past it).</summary>
    public DateTimeOffset? WaitLasted(int blocker, TimeSpan length) => snapshots
        .SelectMany(s => s.Waiters.Where(w => w.Blockers.Contains(blocker) && s.At >= w.WaitStart + length).Select(w => w.WaitStart + length))
        .Order()
        .Cast<DateTimeOffset?>()
        .FirstOrDefault();

    /// <summary>When client connections first reached <paramref name="percent"/> % of max_connections.</summary>
    public DateTimeOffset? ConnectionsReached(double percent) =>
        connections.Where(c => 100.0 * c.Connections / c.Max >= percent).Select(c => (DateTimeOffset?)c.At).FirstOrDefault();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
    }

    private async Task RunAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await using (var command = new NpgsqlCommand(Sql, connection) { CommandTimeout = 0 })
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                var at = new DateTimeOffset(reader.GetFieldValue<DateTime>(0));
                connections.Add((at, reader.GetInt32(1), reader.GetInt32(2)));
                using var json = JsonDocument.Parse(reader.GetString(3));
                snapshots.Add((at, [.. json.RootElement.EnumerateArray().Select(w => (
                    w.GetProperty("waitstart").GetDateTimeOffset(),
                    w.GetProperty("blockers").EnumerateArray().Select(b => b.GetInt32()).ToArray()))]));
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
