using Npgsql;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;

namespace WedSync.Tests.Monitoring.Pooling;

/// <summary>
/// Issue 15, kind 7: behind PgBouncer in transaction mode a session advisory lock does not hold (a
/// second client landing on the pooled server session re-enters it; authentik #23876 is the same
/// failure for a migration lock), so two API instances both sampled. The sampler's lease is a row
/// renewed by one autocommit statement per tick: two API processes behind a real PgBouncer, on a
/// migrated database of their own, sample one at a time, and the other takes over when the sampler dies.
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed class SamplerUnderPgBouncerTests(AppHostFixture fixture)
{
    private const string SampleLine = "Monitoring sample taken by";

    [Fact]
    public async Task Two_api_instances_behind_transaction_pooling_sample_one_at_a_time_and_fail_over()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        await using var bouncer = await PgBouncerProcess.StartAsync(database.ConnectionString);

        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Auth__SigningKey"] = AppHostFixture.JwtSigningKey,
            ["ConnectionStrings__wedsync"] = bouncer.ConnectionString,
            ["Monitoring__SampleInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__WedSync.Api.Features.Monitoring.Sampling"] = "Debug",
        };
        await using var first = ApiInstance.Start(environment);
        await using var second = ApiInstance.Start(environment);
        ApiInstance[] instances = [first, second];

        // Both started and one samples (the first tick of each instance races for the lease).
        var started = await MonitoringCalls.PollAsync(() => Task.FromResult(instances.Sum(i => i.Count(SampleLine))), n => n >= 3, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));
        Assert.True(started >= 3, $"no instance sampled:\n{first.Output}\n---\n{second.Output}");
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.All(instances, i => Assert.False(i.HasExited, i.Output));
        var counts = instances.Select(i => i.Count(SampleLine)).ToArray();
        Assert.True(counts.Count(c => c > 0) == 1, $"instances that sampled: {string.Join(", ", counts)}\n{first.Output}\n---\n{second.Output}");
        var sampler = counts[0] > 0 ? first : second;
        var standby = sampler == first ? second : first;
        Assert.True(sampler.Count(SampleLine) >= 5, $"the sampler sampled {sampler.Count(SampleLine)} times in 6 s");
        var holder = await LeaseHolderAsync(database);
        Assert.Contains($"{SampleLine} {holder}", sampler.Output, StringComparison.Ordinal);

        // The sampler dies without releasing anything; the lease expires (three intervals) and the other takes over.
        await sampler.KillAsync();
        var tookOver = await MonitoringCalls.PollAsync(() => Task.FromResult(standby.Count(SampleLine)), n => n >= 2, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(250));
        Assert.True(tookOver >= 2, $"the standby never took over:\n{standby.Output}");
        Assert.NotEqual(holder, await LeaseHolderAsync(database));
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task<string> LeaseHolderAsync(MigratorDatabase database) =>
        (string)(await database.ScalarAsync("SELECT holder FROM monitoring_sampler_lease WHERE name = 'sampler'"))!;
}
