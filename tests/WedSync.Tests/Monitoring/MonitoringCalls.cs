using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring;

/// <summary>A platform admin's calls to the monitoring API, and polling for what the sampler or another session does.</summary>
public static class MonitoringCalls
{
    /// <summary>
    /// Minted on each use (a token minted once expires, 15 min, before a long suite ends), for an admin of
    /// its own: the rate limit counts per user and minute, and collections running side by side on one
    /// application would otherwise spend one shared admin's budget for each other (429s in whichever came last).
    /// </summary>
    public static string AdminToken => TestTokens.For(Guid.NewGuid(), ["platform_admin"]);

    public static async Task<JsonElement> GetOkAsync(this HttpClient api, string path, string? token = null) =>
        (await api.GetOkWithAgeAsync(path, fresh: false, token)).Body;

    /// <summary>A result computed for this request (<c>Cache-Control: no-cache</c>), as after a change the caller made.</summary>
    public static async Task<JsonElement> GetFreshOkAsync(this HttpClient api, string path) =>
        (await api.GetOkWithAgeAsync(path, fresh: true)).Body;

    /// <summary>The body and the <c>Age</c> header (null when absent).</summary>
    public static async Task<(JsonElement Body, TimeSpan? Age)> GetOkWithAgeAsync(this HttpClient api, string path, bool fresh, string? token = null)
    {
        using var request = ApiCalls.Request(HttpMethod.Get, path, token ?? AdminToken);
        if (fresh)
        {
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        }

        using var response = await api.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return (JsonDocument.Parse(body).RootElement.Clone(), response.Headers.Age);
    }

    /// <summary>Asks until the condition holds or the timeout passes; returns the last answer either way.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Runs SQL in a session of its own (as the owner); the returned task ends with the statement.</summary>
    public static async Task<(int Pid, Task Running, NpgsqlConnection Connection)> RunInOtherSessionAsync(this AppHostFixture fixture, string sql)
    {
        var connection = fixture.OpenDatabase();
        var pid = connection.ProcessID;
        // No client-side timeout: an incident's queued statement waits as long as the incident lasts.
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        var running = Task.Run(async () =>
        {
            await using (command)
            {
                await command.ExecuteNonQueryAsync();
            }
        });
        return (pid, running, connection);
    }
}
