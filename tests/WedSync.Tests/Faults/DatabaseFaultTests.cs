using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Faults;

/// <summary>The API under database faults: a restart mid-traffic, and a drained connection pool.</summary>
[Collection(FaultCollection.Name)]
public sealed class DatabaseFaultTests(FaultFixture fixture)
{
    [Fact]
    public async Task Postgres_restart_under_writes_recovers_without_api_restart_and_loses_or_invents_no_row()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN", "MEMBER", "VIEWER"]);
        var code = (await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail())).GetProperty("referralCode").GetString()!;
        var acknowledged = new ConcurrentBag<Guid>();
        var failures = new ConcurrentBag<HttpStatusCode>();
        using var stopWriting = new CancellationTokenSource();
        var writers = scenario.Organization.Members.Select(member => WriteUntilCancelledAsync(member, code, acknowledged, failures, stopWriting.Token)).ToList();

        await Task.Delay(TimeSpan.FromSeconds(1));
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        Assert.True((await commands.ExecuteCommandAsync("postgres", KnownResourceCommands.StopCommand)).Success);
        Assert.True(await HealthBecomesAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30)), "/health stayed healthy with the database stopped");

        Assert.True((await commands.ExecuteCommandAsync("postgres", KnownResourceCommands.StartCommand)).Success);
        var restarted = Stopwatch.StartNew();
        Assert.True(await HealthBecomesAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30)), "/health never recovered");
        var recovery = restarted.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stopWriting.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(recovery < TimeSpan.FromSeconds(10), $"healthy again only {recovery.TotalSeconds:0.0} s after the restart");
        Assert.NotEmpty(acknowledged);
        Assert.NotEmpty(failures);
        Assert.All(failures, status => Assert.True(status == HttpStatusCode.ServiceUnavailable, $"unexpected {status}"));
        NpgsqlConnection.ClearAllPools();
        var stored = await StoredSharesAsync(scenario.Organization.Id);
        Assert.Equal(acknowledged.Order(), stored.Order());
    }

    [Fact]
    public async Task Drained_connection_pool_answers_503_problem_instead_of_hanging()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN", "MEMBER", "VIEWER"]);
        var code = (await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail())).GetProperty("referralCode").GetString()!;

        // Writers queue behind an exclusive lock, each holding one of the API's pooled connections.
        await using var blocker = fixture.OpenDatabase();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE referral_share_events IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var members = scenario.Organization.Members;
        var requests = Enumerable.Range(0, FaultFixture.PoolSize + 3)
            .Select(i => fixture.Api.PostJsonAsync($"/api/referrals/{code}/shares", members[i % members.Count].Token(), new { shareType = "link" }))
            .ToList();
        var firstAnswer = await Task.WhenAny(requests).WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(4));
        await transaction.RollbackAsync();
        var responses = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30));

        using var exhausted = responses.First(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        await exhausted.AssertProblemAsync(503);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"unexpected {r.StatusCode}"));
        _ = firstAnswer;
    }

    private async Task WriteUntilCancelledAsync(TestMember member, string code, ConcurrentBag<Guid> acknowledged,
        ConcurrentBag<HttpStatusCode> failures, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await fixture.Api.PostJsonAsync($"/api/referrals/{code}/shares", member.Token(), new { shareType = "email" });
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                    acknowledged.Add(body.GetProperty("shareId").GetGuid());
                }
                else
                {
                    failures.Add(response.StatusCode);
                }
            }
            catch (HttpRequestException)
            {
                failures.Add(HttpStatusCode.BadGateway);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }

    private async Task<bool> HealthBecomesAsync(HttpStatusCode expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await fixture.Api.GetAsync("/health");
                if (response.StatusCode == expected)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // The API itself must stay up; a refused connection here would fail the assertion by timing out.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        return false;
    }

    private async Task<List<Guid>> StoredSharesAsync(Guid organizationId)
    {
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand("SELECT id FROM referral_share_events WHERE organization_id = @org", connection);
        command.Parameters.AddWithValue("org", organizationId);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
