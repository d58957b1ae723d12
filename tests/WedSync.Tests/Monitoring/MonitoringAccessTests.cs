using System.Net.Http.Json;
using Npgsql;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>Done-when 5: monitoring is for platform admins only, over HTTP and in SQL as the request role.</summary>
[Collection(AppHostCollection.Name)]
public sealed class MonitoringAccessTests(AppHostFixture fixture)
{
    public static readonly (string Method, string Path)[] Endpoints =
    [
        ("GET", "/api/monitoring/summary"),
        ("GET", "/api/monitoring/slow-queries"),
        ("GET", "/api/monitoring/connections"),
        ("GET", "/api/monitoring/tables"),
        ("GET", "/api/monitoring/rls"),
        ("GET", "/api/monitoring/query-stats"),
        ("GET", "/api/monitoring/events"),
        ("POST", "/api/monitoring/events"),
        ("POST", $"/api/monitoring/events/{Guid.NewGuid()}/resolve"),
        ("GET", "/api/monitoring/events/stream"),
        ("POST", "/api/monitoring/cleanup"),
        ("GET", "/api/monitoring/advisor"),
    ];

    [Fact]
    public async Task Org_owners_members_and_anonymous_callers_are_refused_everywhere()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER", "MEMBER");
        var callers = new (string Name, string? Token, int Status)[]
        {
            ("owner", organization["OWNER"].Token(), 403),
            ("member", organization["MEMBER"].Token(), 403),
            ("anonymous", null, 401),
        };
        var marker = Guid.NewGuid().ToString("N");
        foreach (var (method, path) in Endpoints)
        {
            foreach (var (name, token, status) in callers)
            {
                using var request = ApiCalls.Request(new HttpMethod(method), path, token);
                if (method == "POST")
                {
                    // A valid body for each, so that the refusal is about the caller, not the input.
                    request.Content = path == "/api/monitoring/events"
                        ? JsonContent.Create(new { eventType = "slow_query", severity = "low", eventData = new { marker } })
                        : JsonContent.Create(new { });
                }

                using var response = await fixture.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                Assert.True((int)response.StatusCode == status, $"{method} {path} as {name}: {(int)response.StatusCode}");
            }
        }

        Assert.Equal(0L, await fixture.ExecuteAsync("SELECT count(*) FROM monitoring_events WHERE event_data ->> 'marker' = @marker", ("marker", marker)));
    }

    [Fact]
    public async Task Request_role_with_org_admin_claims_sees_no_event_and_no_query_text()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER");
        await fixture.ExecuteAsync("SELECT record_db_monitoring_event('performance_alert', 'low', '{\"source\":\"access test\"}')");
        var other = await fixture.RunInOtherSessionAsync("SELECT pg_sleep(0.8) /* visible only to admins */");
        try
        {
            await Task.Delay(300);
            await using var connection = fixture.OpenDatabase();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var setup = new NpgsqlCommand("SET LOCAL ROLE wedsync_user; SELECT set_config('request.jwt.claims', @claims, true)", connection, transaction))
            {
                setup.Parameters.AddWithValue("claims", $$"""{"sub":"{{organization["OWNER"].UserId}}","roles":[]}""");
                await setup.ExecuteNonQueryAsync();
            }

            foreach (var relation in new[] { "monitoring_events", "monitoring_slow_queries", "monitoring_connections", "monitoring_table_health", "monitoring_rls_status" })
            {
                await using var count = new NpgsqlCommand($"SELECT count(*) FROM {relation}", connection, transaction);
                Assert.True((long)(await count.ExecuteScalarAsync())! == 0, $"{relation} shows rows to an org owner");
            }

            await using var summary = new NpgsqlCommand("SELECT get_db_monitoring_summary()", connection, transaction);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => summary.ExecuteScalarAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            await other.Running;
        }
        finally
        {
            await other.Connection.DisposeAsync();
        }
    }
}
