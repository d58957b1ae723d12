using System.Diagnostics;
using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>Done-when 4: a stream client hears of an event another request records, within a second.</summary>
[Collection(AppHostCollection.Name)]
public sealed class EventStreamTests(AppHostFixture fixture)
{
    [Fact]
    public async Task Stream_client_receives_an_event_recorded_by_another_request_within_a_second()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = ApiCalls.Request(HttpMethod.Get, "/api/monitoring/events/stream", MonitoringCalls.AdminToken);
        using var stream = await fixture.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(200, (int)stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cancel.Token));
        // The first comment arrives once the server listens; recording before that could be missed.
        Assert.StartsWith(":", await reader.ReadLineAsync(cancel.Token));

        using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
            new { eventType = "connection_issue", severity = "medium", eventData = new { source = "stream test" } });
        var recordedAt = Stopwatch.StartNew();
        Assert.Equal(201, (int)created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

        using var withinASecond = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        withinASecond.CancelAfter(TimeSpan.FromSeconds(1));
        while (true)
        {
            var line = await reader.ReadLineAsync(withinASecond.Token);
            Assert.NotNull(line);
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = JsonDocument.Parse(line["data: ".Length..]).RootElement;
            if (data.GetProperty("id").GetGuid() == id)
            {
                Assert.Equal("connection_issue", data.GetProperty("type").GetString());
                Assert.Equal("medium", data.GetProperty("severity").GetString());
                Assert.True(recordedAt.Elapsed < TimeSpan.FromSeconds(1), $"{recordedAt.Elapsed}");
                break;
            }
        }

        await fixture.ExecuteAsync("DELETE FROM monitoring_events WHERE id = @id", ("id", id));
    }

    [Fact]
    public async Task Stream_refuses_non_admins()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER");
        using var request = ApiCalls.Request(HttpMethod.Get, "/api/monitoring/events/stream", organization["OWNER"].Token());
        using var response = await fixture.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.AssertProblemAsync(403);
    }
}
