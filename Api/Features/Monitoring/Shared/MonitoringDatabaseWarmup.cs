using Npgsql;

namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>
/// Opens the monitoring pools' kept connections at startup, while the server still has room, so that
/// monitoring can answer when clients later use up max_connections.
/// </summary>
public sealed class MonitoringDatabaseWarmup(MonitoringDatabase database, ILogger<MonitoringDatabaseWarmup> logger) : BackgroundService
{
    // Connections another user of the pool already holds (the event listener) are open too: the warm-up stops waiting for them soon.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var (pool, kept) in database.KeptPools)
        {
            await OpenAsync(pool, kept, stoppingToken);
        }
    }

    // Held at once, so the pool opens that many server connections, then returned to it (Minimum Pool Size keeps them).
    private async Task OpenAsync(NpgsqlDataSource pool, int kept, CancellationToken stoppingToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        patience.CancelAfter(Patience);
        var opening = Enumerable.Range(0, kept).Select(_ => pool.OpenConnectionAsync(patience.Token).AsTask()).ToList();
        try
        {
            await Task.WhenAll(opening);
        }
        catch (Exception exception) when (exception is OperationCanceledException && !stoppingToken.IsCancellationRequested)
        {
            // The rest are in use already.
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The pool opens them on first use instead; monitoring still works, only without the reserve.
            logger.LogWarning(exception, "The monitoring pool could not open its kept connections at startup.");
        }

        foreach (var open in opening.Where(task => task.IsCompletedSuccessfully))
        {
            await open.Result.DisposeAsync();
        }
    }
}
