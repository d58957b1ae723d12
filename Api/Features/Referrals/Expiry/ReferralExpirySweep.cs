using Npgsql;

namespace WedSync.Api.Features.Referrals.Expiry;

/// <summary>
/// Moves open referrals past their 30-day window to <c>expired</c>, so stats and analytics stop
/// counting them as open. Platform work across organizations, so it runs as the API's own login.
/// Idempotent: several API instances sweeping at once only race to update the same rows.
/// </summary>
public sealed class ReferralExpirySweep(NpgsqlDataSource dataSource, ILogger<ReferralExpirySweep> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private const string Sql = """
        UPDATE referrals SET status = 'expired'
        WHERE status IN ('pending', 'signed_up') AND expires_at < now()
        """;

    // Limit counters of past windows (UTC hours and days) can no longer refuse anything.
    private const string CountersSql = "DELETE FROM referral_limit_counters WHERE window_start < now() - interval '2 days'";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            using var pass = BackgroundTraces.StartPass("referrals.expiry");
            try
            {
                await using var command = dataSource.CreateCommand(Sql);
                var expired = await command.ExecuteNonQueryAsync(stoppingToken);
                await using var counters = dataSource.CreateCommand(CountersSql);
                await counters.ExecuteNonQueryAsync(stoppingToken);
                if (expired > 0)
                {
                    logger.LogInformation("Expired {Count} referrals past their conversion window", expired);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database may be down; the next tick tries again.
                logger.LogWarning(ex, "Referral expiry sweep failed; retrying in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
