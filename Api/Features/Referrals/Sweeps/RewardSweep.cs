using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;

namespace WedSync.Api.Features.Referrals.Sweeps;

/// <summary>
/// Approves pending rewards whose hold is over (by their organization's rules and spend cap) and sends
/// billing again the approved rewards it has not acknowledged within <see cref="ReferralOptions.FulfilmentResendAfter"/>,
/// and tells receivers of referral.clicked how many counted clicks each referral got (per <see cref="ReferralOptions.ClickReportWindow"/>).
/// Platform work across organizations, as the API's login; rows are claimed with SKIP LOCKED, so several
/// API instances share it, and every decision goes through the same ledger function as a person's.
/// </summary>
public sealed class RewardSweep(NpgsqlDataSource dataSource, IOptions<ReferralOptions> options, TimeProvider time, ILogger<RewardSweep> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RewardSweepInterval, time);
        do
        {
            using var pass = BackgroundTraces.StartPass("referrals.reward_sweep");
            try
            {
                var (approved, resent) = await RunOnceAsync(stoppingToken);
                if (approved + resent > 0)
                {
                    logger.LogInformation("Reward sweep approved {Approved} rewards after their hold and asked billing again for {Resent}", approved, resent);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The database may be down; the next tick tries again.
                logger.LogWarning(ex, "Reward sweep failed; retrying in {Interval}", options.Value.RewardSweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: holds released, then fulfilment requests re-sent; each its own transaction.</summary>
    public async Task<(int Approved, int Resent)> RunOnceAsync(CancellationToken ct)
    {
        await using var release = dataSource.CreateCommand("SELECT referral_rewards_release_due(@limit)");
        release.Parameters.AddWithValue("limit", BatchSize);
        var approved = (int)(await release.ExecuteScalarAsync(ct))!;
        await using var resend = dataSource.CreateCommand("SELECT referral_rewards_request_fulfilment(@after, @limit)");
        resend.Parameters.AddWithValue("after", options.Value.FulfilmentResendAfter);
        resend.Parameters.AddWithValue("limit", BatchSize);
        var resent = (int)(await resend.ExecuteScalarAsync(ct))!;
        // referral.clicked, aggregated: one message per referral per window (the clicks of the last day are looked at).
        await using var clicked = dataSource.CreateCommand("SELECT referral_clicks_report(@window, @lookback, @limit)");
        clicked.Parameters.AddWithValue("window", options.Value.ClickReportWindow);
        clicked.Parameters.AddWithValue("lookback", TimeSpan.FromDays(1));
        clicked.Parameters.AddWithValue("limit", BatchSize);
        await clicked.ExecuteScalarAsync(ct);
        return (approved, resent);
    }
}
