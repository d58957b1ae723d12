using System.Diagnostics;
using Npgsql;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.AppModel;

/// <summary>The AppHost with <c>WedSync:Fleet</c>: two API replicas behind a local PgBouncer in transaction mode.</summary>
public sealed class FleetAppHostFixture : AppHostFixture
{
    public const int Replicas = 2;

    protected override string[] Arguments =>
        [.. base.Arguments, $"WedSync:Fleet:ApiReplicas={Replicas}", "WedSync:Fleet:PgBouncer=true"];

    // Replicas are resources of their own (api-…): the test waits for each of them.
    protected override bool WaitForApi => false;
}

/// <summary>
/// Issue 28: the deployment's topology runs locally on request: N API replicas, their database reached through the
/// pooler (the server's own connections come from PgBouncer), and one sampler across them (the lease row).
/// </summary>
public sealed class FleetTests(FleetAppHostFixture fixture) : IClassFixture<FleetAppHostFixture>
{
    [Fact]
    public async Task Api_replicas_reach_the_database_through_pgbouncer_and_share_one_sampler()
    {
        // Each replica is a resource instance of its own, each healthy.
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(patience.Token))
            {
                seen[update.ResourceId] = $"{update.Snapshot.State?.Text} {update.Snapshot.HealthStatus}";
                if (update.Resource.Name == "api" && update.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
                {
                    healthy.Add(update.ResourceId);
                }

                if (healthy.Count == FleetAppHostFixture.Replicas)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(healthy.Count == FleetAppHostFixture.Replicas, $"healthy replicas: {healthy.Count}; {string.Join(", ", seen.Select(p => $"{p.Key}: {p.Value}"))}\n{await ResourceDiagnostics.DescribeAsync(fixture.App, "pgbouncer")}");

        // The API answers, and its sessions are PgBouncer's clients.
        using var api = ApiClients.Create(fixture.App.GetEndpoint("api", "http"));
        using var health = await api.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        var pooler = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync("pgbouncer"));
        var clients = await PsqlAsync(pooler, "SHOW CLIENTS");
        Assert.Contains("| wedsync ", clients, StringComparison.Ordinal);

        // One sampler: the lease keeps one holder while it is renewed tick after tick by that holder alone.
        await using var connection = fixture.OpenDatabase();
        var first = await LeaseAsync(connection);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        var renewals = 0;
        var last = first;
        while (renewals < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(AppHostFixture.SamplerInterval);
            var now = await LeaseAsync(connection);
            Assert.Equal(first.Holder, now.Holder);
            Assert.Equal(first.AcquiredAt, now.AcquiredAt);
            renewals += now.RenewedAt > last.RenewedAt ? 1 : 0;
            last = now;
        }

        Assert.True(renewals >= 3, $"the sampler lease was renewed {renewals} times in a minute");
    }

    private static async Task<(string Holder, DateTime AcquiredAt, DateTime RenewedAt)> LeaseAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT holder, acquired_at, renewed_at FROM monitoring_sampler_lease WHERE name = 'sampler'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no sampler holds the lease");
        return (reader.GetString(0), reader.GetDateTime(1), reader.GetDateTime(2));
    }

    // PgBouncer's admin console speaks the simple query protocol only: psql, not Npgsql.
    private static async Task<string> PsqlAsync(NpgsqlConnectionStringBuilder pooler, string sql)
    {
        var startInfo = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[$"host={pooler.Host} port={pooler.Port} user={pooler.Username} dbname=pgbouncer", "-X", "-c", sql])
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["PGPASSWORD"] = pooler.Password;
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await errors);
        return await output;
    }
}
