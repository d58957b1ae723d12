using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Issue 22, active session history: database time sampled every second from pg_stat_activity and
/// attributed to the vendor organization whose API request ran it, answered per window by
/// GET /api/monitoring/wait-events.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class WaitEventTests(AppHostFixture fixture)
{
    private const string Tag = "wedsync-api org=";

    // Buckets are written every 10 s; a loaded CI machine gets a generous margin on top.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Time_of_two_organizations_is_attributed_to_each_with_its_wait_event()
    {
        var evergreen = await TestOrganization.CreateAsync(fixture);
        var lakeside = await TestOrganization.CreateAsync(fixture);
        var from = Floor(DateTimeOffset.UtcNow.AddMinutes(-1));
        var table = $"wait_probe_{Guid.NewGuid():N}";
        await using var owner = fixture.OpenDatabase();
        await Execute(owner, $"CREATE TABLE {table} (id int)");
        try
        {
            // A ROW EXCLUSIVE holder and a SHARE waiter: a relation lock wait that blocks no catalog reader of other tests.
            await using var holder = fixture.OpenDatabase();
            await Execute(holder, $"BEGIN; LOCK TABLE {table} IN ROW EXCLUSIVE MODE");
            await using var sleeper = Open(Tag + evergreen.Id);
            await using var waiter = Open(Tag + lakeside.Id);
            var sleeping = Execute(sleeper, "SELECT pg_sleep(4)");
            var waiting = Execute(waiter, $"BEGIN; LOCK TABLE {table} IN SHARE MODE; COMMIT");
            await Task.Delay(TimeSpan.FromSeconds(4));
            await Execute(holder, "COMMIT");
            await Task.WhenAll(sleeping, waiting);

            var byOrganization = await MonitoringCalls.PollAsync(
                () => fixture.Api.GetOkAsync($"/api/monitoring/wait-events?groupBy=organization&limit=500&from={Iso(from)}&to={Iso(Floor(DateTimeOffset.UtcNow.AddMinutes(1)))}"),
                body => Seconds(body, "organizationId", evergreen.Id.ToString()) >= 2.5 && Seconds(body, "organizationId", lakeside.Id.ToString()) >= 2.5,
                Deadline,
                TimeSpan.FromSeconds(1));
            Assert.True(Seconds(byOrganization, "organizationId", evergreen.Id.ToString()) >= 2.5, byOrganization.ToString());
            Assert.True(Seconds(byOrganization, "organizationId", lakeside.Id.ToString()) >= 2.5, byOrganization.ToString());
            var group = Group(byOrganization, "organizationId", evergreen.Id.ToString())!.Value;
            Assert.Equal($"Test organization {evergreen.Slug}", group.GetProperty("organizationName").GetString());
            Assert.InRange(group.GetProperty("percent").GetDouble(), 0.01, 100);
            Assert.True(byOrganization.GetProperty("totalSeconds").GetDouble() >= 5, byOrganization.ToString());

            var to = Iso(Floor(DateTimeOffset.UtcNow.AddMinutes(1)));
            var slept = await fixture.Api.GetOkAsync($"/api/monitoring/wait-events?groupBy=wait_event&organizationId={evergreen.Id}&from={Iso(from)}&to={to}");
            var top = slept.GetProperty("groups")[0];
            Assert.Equal(("Timeout", "PgSleep"), (top.GetProperty("waitEventType").GetString(), top.GetProperty("waitEvent").GetString()));
            Assert.True(top.GetProperty("seconds").GetDouble() >= 2.5, slept.ToString());

            var locked = await fixture.Api.GetOkAsync($"/api/monitoring/wait-events?groupBy=wait_event&organizationId={lakeside.Id}&from={Iso(from)}&to={to}");
            top = locked.GetProperty("groups")[0];
            Assert.Equal(("Lock", "relation"), (top.GetProperty("waitEventType").GetString(), top.GetProperty("waitEvent").GetString()));
            Assert.True(top.GetProperty("seconds").GetDouble() >= 2.5, locked.ToString());
        }
        finally
        {
            await Execute(owner, $"DROP TABLE IF EXISTS {table}");
        }
    }

    [Fact]
    public async Task Sessions_of_another_database_and_idle_sessions_are_no_organizations_time_even_when_tagged()
    {
        // pg_wait_sampling (Postgres Pro docs, F.52) samples every process of the server, background workers included;
        // here a session of another database, even tagged like an API request, is neither this database's time nor a vendor's.
        var spoofed = Guid.NewGuid();
        var control = await TestOrganization.CreateAsync(fixture);
        // pg_profile#93: samples of idle sessions put Client:ClientRead on top; an idle session (even in a transaction) is no database time.
        var idle = await TestOrganization.CreateAsync(fixture);
        var from = Floor(DateTimeOffset.UtcNow.AddMinutes(-1));
        await using var elsewhere = Open(Tag + spoofed, database: "postgres");
        await using var here = Open(Tag + control.Id);
        await using var idling = Open(Tag + idle.Id);
        await Execute(idling, "BEGIN; SELECT 1");
        await Task.WhenAll(Execute(elsewhere, "SELECT pg_sleep(3)"), Execute(here, "SELECT pg_sleep(3)"));

        var path = $"/api/monitoring/wait-events?groupBy=organization&limit=500&from={Iso(from)}&to={Iso(Floor(DateTimeOffset.UtcNow.AddMinutes(1)))}";
        // The control session of this database shows up; by then the other database's had been sampled too.
        var body = await MonitoringCalls.PollAsync(() => fixture.Api.GetOkAsync(path), b => Seconds(b, "organizationId", control.Id.ToString()) >= 1.5, Deadline, TimeSpan.FromSeconds(1));
        Assert.True(Seconds(body, "organizationId", control.Id.ToString()) >= 1.5, body.ToString());
        Assert.Null(Group(body, "organizationId", spoofed.ToString()));
        Assert.Null(Group(body, "organizationId", idle.Id.ToString()));
        var only = await fixture.Api.GetOkAsync($"/api/monitoring/wait-events?organizationId={spoofed}&from={Iso(from)}&to={Iso(Floor(DateTimeOffset.UtcNow.AddMinutes(1)))}");
        Assert.Empty(only.GetProperty("groups").EnumerateArray());
    }

    [Fact]
    public async Task An_API_request_tags_its_transaction_with_its_organization_and_the_tag_ends_with_it()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER");
        var token = organization["OWNER"].Token();
        var tag = Tag + organization.Id;
        await using var watcher = fixture.OpenDatabase();
        await using var seen = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @tag AND pid <> pg_backend_pid()", watcher);
        seen.Parameters.AddWithValue("tag", tag);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var load = Task.Run(async () =>
        {
            // A few parallel callers, well inside the rate limit; they stop once the watcher saw the tag.
            for (var i = 0; i < 40 && !stop.IsCancellationRequested; i++)
            {
                await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
                {
                    using var response = await fixture.Api.GetAsync("/api/referrals/stats", token);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }));
            }
        });
        var sightings = 0L;
        while (!load.IsCompleted && sightings == 0)
        {
            sightings = (long)(await seen.ExecuteScalarAsync())!;
        }

        await stop.CancelAsync();
        await load;
        Assert.True(sightings > 0, $"no backend ever carried application_name '{tag}' during the requests");
        // SET LOCAL: the pooled connections the requests used are back to their own name.
        Assert.Equal(0L, (long)(await seen.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Behind_transaction_pooling_the_tag_ends_with_its_transaction_and_its_time_is_attributed()
    {
        var organization = await TestOrganization.CreateAsync(fixture);
        var from = Floor(DateTimeOffset.UtcNow.AddMinutes(-1));
        // One server connection for two pooler clients: the second gets the server session the tagged transaction used.
        await using var bouncer = await PgBouncerProcess.StartAsync(fixture.DatabaseConnectionString, poolSize: 1);
        await using var tagged = new NpgsqlConnection(bouncer.ClientConnectionString(fixture.DatabaseConnectionString));
        await tagged.OpenAsync();
        await using var next = new NpgsqlConnection(bouncer.ClientConnectionString(fixture.DatabaseConnectionString));
        await next.OpenAsync();
        // The tenant session's statement: set_config(..., true) is SET LOCAL.
        await Execute(tagged, $"BEGIN; SELECT set_config('application_name', '{Tag}{organization.Id}', true); SELECT pg_sleep(3); COMMIT");
        await using (var name = new NpgsqlCommand("SELECT current_setting('application_name')", next))
        {
            Assert.NotEqual(Tag + organization.Id, (string?)await name.ExecuteScalarAsync());
        }

        var path = $"/api/monitoring/wait-events?groupBy=wait_event&organizationId={organization.Id}&from={Iso(from)}&to={Iso(Floor(DateTimeOffset.UtcNow.AddMinutes(1)))}";
        var body = await MonitoringCalls.PollAsync(() => fixture.Api.GetOkAsync(path), b => Seconds(b, "waitEvent", "PgSleep") >= 1.5, Deadline, TimeSpan.FromSeconds(1));
        Assert.True(Seconds(body, "waitEvent", "PgSleep") >= 1.5, body.ToString());
    }

    [Theory]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-13-45T00:00:00Z")]
    [InlineData("from=2026-12-06T15:00:00Z&to=2026-12-06T14:00:00Z")]
    [InlineData("from=2026-10-01T00:00:00Z&to=2026-12-06T14:00:00Z")]
    [InlineData("groupBy=tenant")]
    [InlineData("limit=0")]
    public async Task A_bad_window_or_grouping_is_a_400_problem(string query)
    {
        using var response = await fixture.Api.GetAsync($"/api/monitoring/wait-events?{query}", MonitoringCalls.AdminToken);
        await response.AssertProblemAsync(400);
    }

    private static DateTimeOffset Floor(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    private static JsonElement? Group(JsonElement body, string property, string value) =>
        body.GetProperty("groups").EnumerateArray()
            .Where(g => g.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() == value)
            .Select(g => (JsonElement?)g).FirstOrDefault();

    private static double Seconds(JsonElement body, string property, string value) =>
        Group(body, property, value)?.GetProperty("seconds").GetDouble() ?? 0;

    private NpgsqlConnection Open(string applicationName, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.DatabaseConnectionString) { ApplicationName = applicationName, Pooling = false };
        if (database is not null)
        {
            builder.Database = database;
        }

        var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
