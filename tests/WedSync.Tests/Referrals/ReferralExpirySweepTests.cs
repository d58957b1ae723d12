using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using WedSync.Api.Features.Referrals.Expiry;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;

namespace WedSync.Tests.Referrals;

/// <summary>
/// The hourly sweep moves open referrals past their window to expired, and only those: a referral
/// still inside its window and a converted one keep their status. The sweep runs in a host of its
/// own against the fixture's database (its first pass is at start, the API's ran long before).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ReferralExpirySweepTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Sweep_expires_open_referrals_past_their_window_and_nothing_else()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        var pastPending = await ReferAsync(scenario, owner);
        var pastSignedUp = await ReferAsync(scenario, owner);
        var inWindow = await ReferAsync(scenario, owner);
        var pastConverted = await ReferAsync(scenario, owner);
        await fixture.ExecuteAsync(
            """
            UPDATE referrals SET status = 'signed_up' WHERE id = @signedUp;
            UPDATE referrals SET status = 'signed_up' WHERE id = @converted;
            UPDATE referrals SET status = 'converted' WHERE id = @converted;
            UPDATE referrals SET created_at = now() - interval '40 days', expires_at = now() - interval '10 days'
            WHERE id IN (@pending, @signedUp, @converted);
            """,
            ("pending", pastPending), ("signedUp", pastSignedUp), ("converted", pastConverted));

        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(fixture.DatabaseConnectionString));
        builder.Services.AddHostedService<ReferralExpirySweep>();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await MonitoringCalls.PollAsync(() => StatusAsync(pastPending), status => status == "expired", TimeSpan.FromSeconds(20));
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Equal("expired", await StatusAsync(pastPending));
        Assert.Equal("expired", await StatusAsync(pastSignedUp));
        Assert.Equal("pending", await StatusAsync(inWindow));
        Assert.Equal("converted", await StatusAsync(pastConverted));
    }

    private static async Task<Guid> ReferAsync(ReferralScenario scenario, TestMember referrer) =>
        (await scenario.ReferOkAsync(referrer, ReferralScenario.NewEmail())).GetProperty("referralId").GetGuid();

    private async Task<string?> StatusAsync(Guid id) =>
        await fixture.ExecuteAsync("SELECT status FROM referrals WHERE id = @id", ("id", id)) as string;
}
