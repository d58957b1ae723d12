namespace WedSync.Api.Features.Monitoring.Shared;

/// <summary>
/// Opens the monitoring pool's kept connections at startup, while the server still has room, so that
/// monitoring can answer when clients later use up max_connections.
/// </summary>
public sealed class MonitoringDatabaseWarmup(MonitoringDatabase database, ILogger<MonitoringDatabaseWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var opened = await Task.WhenAll(Enumerable.Range(0, database.KeptConnections).Select(_ => database.DataSource.OpenConnectionAsync(stoppingToken).AsTask()));
            foreach (var connection in opened)
            {
                await connection.DisposeAsync();
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The pool opens them on first use instead; monitoring still works, only without the reserve.
            logger.LogWarning(exception, "The monitoring pool could not open its kept connections at startup.");
        }
    }
}
