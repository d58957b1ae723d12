using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Console;
using WedSync.Tests.Faults;
using WedSync.Tests.Monitoring.Alerts;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Issue 22, kind 1, the reserved path: with the API's request pool used up by requests queued on a lock and
/// the server's max_connections used up by a client role (and the superuser reserve by the test), every
/// documented GET under /api/monitoring and the console's Overview still answer 2xx with data within seconds,
/// because every connection a monitoring read opens comes from the monitoring pools kept since startup.
/// </summary>
/// <remarks>In the faults collection: a server and API of their own, since nothing else can connect meanwhile.</remarks>
[Collection(FaultCollection.Name)]
public sealed class MonitoringUnderConnectionExhaustionTests(FaultFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const string ClientRole = "exhaust_client";
    private const string HogName = "exhaust-hog";

    // Generous for a loaded 2-core CI machine; each answer used to be a 503 after the request pool's Timeout.
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Every_monitoring_GET_and_the_console_Overview_answer_with_data_when_clients_fill_max_connections_and_the_request_pool()
    {
        await using var receiver = new WebhookReceiver().Start();
        var admin = MonitoringCalls.AdminToken;
        var subscription = await CreateSubscriptionAsync(admin, receiver.Url);
        long queryId;
        await using (var setup = fixture.OpenDatabase())
        {
            // A statement with stored history, so its series has points to answer with.
            await ExecAsync(setup, "SELECT monitoring_history.maintain_query_partitions(interval '14 days', 2)");
            await ExecAsync(setup, "SELECT monitoring_history.capture_queries(50)");
            await using var pick = new NpgsqlCommand("SELECT queryid FROM monitoring_history.query_texts ORDER BY queryid LIMIT 1", setup);
            queryId = (long)(await pick.ExecuteScalarAsync())!;
            await ExecAsync(setup, $"DROP ROLE IF EXISTS {ClientRole}; CREATE ROLE {ClientRole} LOGIN PASSWORD 'exhaust'");
        }

        string[] paths =
        [
            "/api/monitoring/summary", "/api/monitoring/advisor", "/api/monitoring/tables", "/api/monitoring/sessions",
            "/api/monitoring/locks", "/api/monitoring/connections", "/api/monitoring/slow-queries", "/api/monitoring/events",
            "/api/monitoring/wait-events", "/api/monitoring/query-stats", $"/api/monitoring/query-stats/{queryId}/history",
            "/api/monitoring/rls", "/api/monitoring/capacity", "/api/monitoring/alert-subscriptions",
            $"/api/monitoring/alert-subscriptions/{subscription}/deliveries",
        ];
        var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, "ops@wedsync.test");
        var cookie = string.Join("; ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name}={c.Value}"));
        await page.Context.CloseAsync();

        var scenario = await ReferralScenario.CreateAsync(fixture, roles: ["OWNER", "ADMIN", "MEMBER", "VIEWER"]);
        var code = (await scenario.ReferOkAsync(scenario.Organization["OWNER"], ReferralScenario.NewEmail())).GetProperty("referralCode").GetString()!;

        var hogs = new List<NpgsqlConnection>();
        await using var blocker = fixture.OpenDatabase();
        var transaction = await blocker.BeginTransactionAsync();
        var writers = new List<Task<HttpResponseMessage>>();
        try
        {
            // The request pool: writers queue on a lock, each holding one of the API's pooled connections.
            await ExecAsync(blocker, "LOCK TABLE referral_share_events IN ACCESS EXCLUSIVE MODE", transaction);
            var members = scenario.Organization.Members;
            writers.AddRange(Enumerable.Range(0, FaultFixture.PoolSize + 2)
                .Select(i => fixture.Api.PostJsonAsync($"/api/referrals/{code}/shares", members[i % members.Count].Token(), new { shareType = "link" })));
            var queued = await MonitoringCalls.PollAsync(() => CountAsync(blocker, transaction,
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'referral_share_events'::regclass"),
                count => count >= FaultFixture.PoolSize, TimeSpan.FromSeconds(30));
            Assert.True(queued >= FaultFixture.PoolSize, $"only {queued} requests queued on the lock");

            // max_connections: a client role up to the superuser reserve, then this test's own superuser connections.
            await FillAsync(hogs, ClientRole, "exhaust");
            await FillAsync(hogs, null, null);
            Assert.NotEmpty(hogs);
            var full = await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(null, null));
            Assert.Equal(PostgresErrorCodes.TooManyConnections, full.SqlState);

            // The detector is not blind either: the exhaustion it reports is raised to critical while it lasts.
            var exhaustion = await MonitoringCalls.PollAsync(() => fixture.Api.GetOkAsync("/api/monitoring/events?type=connection_issue&resolved=false&severity=critical", admin),
                page => page.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(15));
            Assert.True(exhaustion.GetProperty("items").GetArrayLength() > 0, $"no open critical connection_issue: {exhaustion}");

            var slowest = TimeSpan.Zero;
            foreach (var path in paths)
            {
                var (status, body, took) = await GetAsync(path, admin, null);
                Assert.True(status is >= 200 and < 300, $"GET {path} answered {status} after {took}: {body}");
                Assert.True(took < AnswerWithin, $"GET {path} took {took}");
                Assert.True(JsonDocument.Parse(body).RootElement.EnumerateObject().Any(), $"GET {path}: no data");
                slowest = took > slowest ? took : slowest;
            }

            // The connection use the answer reports is the incident itself: the data is read now, not remembered.
            var connections = await fixture.Api.GetOkAsync("/api/monitoring/connections", admin);
            Assert.True(connections.GetProperty("totalConnections").GetInt32() * 10 >= connections.GetProperty("maxConnections").GetInt32() * 9, connections.GetRawText());

            var (streamStatus, streamTook) = await OpenStreamAsync(admin);
            Assert.True(streamStatus == HttpStatusCode.OK && streamTook < AnswerWithin, $"event stream: {streamStatus} after {streamTook}");

            var (consoleStatus, html, consoleTook) = await GetAsync("/console", null, cookie);
            Assert.True(consoleStatus == 200 && consoleTook < AnswerWithin, $"/console answered {consoleStatus} after {consoleTook}");
            Assert.Contains("health-score", html, StringComparison.Ordinal);
            _ = slowest;
        }
        finally
        {
            foreach (var hog in hogs)
            {
                await hog.DisposeAsync();
            }

            await transaction.RollbackAsync();
            foreach (var writer in writers)
            {
                (await writer).Dispose();
            }

            using var delete = await fixture.Api.SendAsync(ApiCalls.Request(HttpMethod.Delete, $"/api/monitoring/alert-subscriptions/{subscription}", admin));
        }
    }

    private async Task<Guid> CreateSubscriptionAsync(string admin, string url)
    {
        using var response = await fixture.Api.PostJsonAsync("/api/monitoring/alert-subscriptions", admin, new { url, minimumSeverity = "critical" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("subscription").GetProperty("id").GetGuid();
    }

    /// <summary>Opens connections until the server refuses one for want of slots (53300).</summary>
    private async Task FillAsync(List<NpgsqlConnection> hogs, string? user, string? password)
    {
        while (true)
        {
            try
            {
                hogs.Add(await OpenAsync(user, password));
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.TooManyConnections)
            {
                return;
            }
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(string? user, string? password)
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { Pooling = false, ApplicationName = HogName };
        if (user is not null)
        {
            (builder.Username, builder.Password) = (user, password);
        }

        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<(int Status, string Body, TimeSpan Took)> GetAsync(string path, string? token, string? cookie)
    {
        using var request = cookie is null
            ? ApiCalls.Request(HttpMethod.Get, path, token)
            : new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Cookie", cookie } } };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        using var response = await fixture.Api.SendAsync(request, timeout.Token);
        var body = await response.Content.ReadAsStringAsync(timeout.Token);
        return ((int)response.StatusCode, body, clock.Elapsed);
    }

    private async Task<(HttpStatusCode Status, TimeSpan Took)> OpenStreamAsync(string token)
    {
        using var request = ApiCalls.Request(HttpMethod.Get, "/api/monitoring/events/stream", token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        using var response = await fixture.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        return (response.StatusCode, clock.Elapsed);
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }
}
