using System.Text.Json;
using Npgsql;
using WedSync.Api.Platform.Problems;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>Done-when 3: the event log's life cycle, its validation, and retention clean-up.</summary>
[Collection(AppHostCollection.Name)]
public sealed class EventTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Recorded_event_is_listed_resolved_once_and_a_second_resolve_conflicts()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
            new { eventType = "performance_alert", severity = "high", eventData = new { marker, note = "checkout p95 above 2 s" } });
        var createdBody = await created.Content.ReadAsStringAsync();
        Assert.True((int)created.StatusCode == 201, createdBody);
        var recorded = JsonDocument.Parse(createdBody).RootElement;
        var id = recorded.GetProperty("id").GetGuid();
        Assert.Equal(marker, recorded.GetProperty("eventData").GetProperty("marker").GetString());

        var list = await fixture.Api.GetOkAsync("/api/monitoring/events?type=performance_alert&severity=high&resolved=false&pageSize=100");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetGuid() == id);

        using var resolve = await fixture.Api.PostJsonAsync($"/api/monitoring/events/{id}/resolve", MonitoringCalls.AdminToken,
            new { resolutionNotes = "added the index" });
        var resolveBody = await resolve.Content.ReadAsStringAsync();
        Assert.True((int)resolve.StatusCode == 200, resolveBody);
        var resolved = JsonDocument.Parse(resolveBody).RootElement;
        Assert.Equal("added the index", resolved.GetProperty("resolutionNotes").GetString());
        Assert.NotEqual(JsonValueKind.Null, resolved.GetProperty("resolvedAt").ValueKind);

        using var again = await fixture.Api.PostJsonAsync($"/api/monitoring/events/{id}/resolve", MonitoringCalls.AdminToken,
            new { resolutionNotes = "again" });
        await again.AssertProblemAsync(409);
        Assert.Equal("added the index", await fixture.ExecuteAsync("SELECT resolution_notes FROM monitoring_events WHERE id = @id", ("id", id)));

        var open = await fixture.Api.GetOkAsync("/api/monitoring/events?resolved=false&pageSize=100");
        Assert.DoesNotContain(open.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetGuid() == id);
        using var missing = await fixture.Api.PostJsonAsync($"/api/monitoring/events/{Guid.NewGuid()}/resolve", MonitoringCalls.AdminToken, new { });
        await missing.AssertProblemAsync(404);
    }

    [Theory]
    [InlineData("disk_full", "high", "eventType")]
    [InlineData("slow_query", "urgent", "severity")]
    public async Task Invalid_type_or_severity_is_400_and_writes_nothing(string type, string severity, string field)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
            new { eventType = type, severity, eventData = new { marker } });
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0L, await fixture.ExecuteAsync("SELECT count(*) FROM monitoring_events WHERE event_data ->> 'marker' = @marker", ("marker", marker)));
    }

    [Fact]
    public async Task Function_validation_error_maps_to_400()
    {
        // The validator answers first over HTTP; this proves the database's own refusal would also be a 400.
        await using var connection = fixture.OpenDatabase();
        await using var command = new NpgsqlCommand("SELECT record_db_monitoring_event('disk_full', 'high', '{}')", connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
        Assert.Equal(400, PostgresErrors.Map(error)?.Status);
    }

    [Fact]
    public async Task Cleanup_removes_exactly_the_events_past_retention()
    {
        var rows = new Dictionary<string, (string Created, string? Resolved, bool Removed)>
        {
            ["resolved_old"] = ("31 days", "31 days", true),
            ["resolved_recent"] = ("40 days", "29 days", false),
            ["resolved_young"] = ("29 days", "29 days", false),
            ["open_old"] = ("8 days", null, true),
            ["open_young"] = ("6 days", null, false),
        };
        var ids = new Dictionary<string, Guid>();
        foreach (var (name, (created, resolved, _)) in rows)
        {
            ids[name] = (Guid)(await fixture.ExecuteAsync(
                """
                INSERT INTO monitoring_events (event_type, severity, event_data, created_at, resolved_at, resolution_notes)
                VALUES ('table_health', 'low', jsonb_build_object('case', @name), now() - @created::interval,
                        now() - @resolved::interval, CASE WHEN @resolved::text IS NULL THEN NULL ELSE 'done' END)
                RETURNING id
                """,
                ("name", name), ("created", created), ("resolved", (object?)resolved ?? DBNull.Value)))!;
        }

        using var response = await fixture.Api.PostJsonAsync("/api/monitoring/cleanup", MonitoringCalls.AdminToken, new { });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal(2, JsonDocument.Parse(body).RootElement.GetProperty("removed").GetInt32());
        foreach (var (name, (_, _, removed)) in rows)
        {
            var exists = (bool)(await fixture.ExecuteAsync("SELECT EXISTS (SELECT 1 FROM monitoring_events WHERE id = @id)", ("id", ids[name])))!;
            Assert.True(exists != removed, $"{name}: exists={exists}");
        }

        await fixture.ExecuteAsync("DELETE FROM monitoring_events WHERE id = ANY(@ids)", ("ids", ids.Values.ToArray()));
    }
}
