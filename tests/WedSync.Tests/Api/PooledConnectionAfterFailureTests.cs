using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Api;

/// <summary>
/// Issue 24, kind 7: a request that fails in the database leaves nothing on its pooled connection that
/// the next request can trip on. The API runs with one pooled connection, so every request of the
/// sequence gets the connection the failed one used, and its statements are auto-prepared (the
/// API's default), which is where npgsql#6391's stale prepared statement lived.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class PooledConnectionAfterFailureTests(AppHostFixture fixture)
{
    private const string Good = """{"eventType":"performance_alert","severity":"low","eventData":{"marker":"MARKER"}}""";

    [Fact]
    public async Task Requests_after_failures_mid_batch_on_the_same_connection_succeed()
    {
        await using var api = await ApiServer.StartAsync($"{fixture.DatabaseConnectionString};Maximum Pool Size=1", new Dictionary<string, string>
        {
            ["Monitoring:SamplerEnabled"] = "false",
        });
        var marker = Guid.NewGuid().ToString("N");
        var failures = new List<string>();
        async Task SendAsync(string name, string body, int expected)
        {
            using var request = ApiCalls.Request(HttpMethod.Post, "/api/monitoring/events", MonitoringCalls.AdminToken);
            request.Content = new StringContent(body.Replace("MARKER", marker, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
            using var response = await api.Client.SendAsync(request);
            if ((int)response.StatusCode != expected)
            {
                failures.Add($"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        // Each bad value fails the second statement of the endpoint's two-statement command while PostgreSQL
        // plans it with the value: on the command's second use, the round trip that also prepares it.
        string[] bad =
        [
            """{"eventType":"performance_alert","severity":"low","eventData":{"n":1e999999}}""",
            """{"eventType":"performance_alert","severity":"low","eventData":{"q":"a\u0000b"}}""",
        ];
        // Good and bad alternate: after each reset the good request is the command's first use on the
        // connection and the bad one its second, so every failure happens in the preparing round trip.
        for (var round = 0; round < 3; round++)
        {
            foreach (var value in bad)
            {
                await SendAsync($"round {round} good", Good, 201);
                await SendAsync($"round {round} bad {value}", value, 400);
            }
        }

        await SendAsync("last good", Good, 201);

        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\n" + api.Output[^Math.Min(api.Output.Length, 4000)..]);
        Assert.Equal(7L, await fixture.ExecuteAsync("SELECT count(*) FROM monitoring_events WHERE event_data ->> 'marker' = @marker", ("marker", marker)));
        await fixture.ExecuteAsync("DELETE FROM monitoring_events WHERE event_data ->> 'marker' = @marker", ("marker", marker));
    }
}
