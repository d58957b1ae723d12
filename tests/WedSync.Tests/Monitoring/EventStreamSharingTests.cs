using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Console;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// Issue 22, kind 6: one client holds a scarce resource per request. Event streams share the instance's
/// one listening connection (105 streams used to hold 105 pooled connections and starve /health), and a
/// client may hold Monitoring:StreamsPerClient (5) streams: the next is answered 429.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class EventStreamSharingTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const int StreamsPerClient = 5;

    [Fact]
    public async Task Streams_share_one_listening_connection_and_a_client_over_its_limit_gets_429_while_health_answers()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        // Three clients at their limit: 15 streams, more than the monitoring pool and any per-stream budget.
        var tokens = Enumerable.Range(0, 3).Select(_ => TestTokens.For(Guid.NewGuid(), ["platform_admin"])).ToArray();
        var streams = new List<OpenStream>();
        try
        {
            foreach (var token in tokens)
            {
                for (var i = 0; i < StreamsPerClient; i++)
                {
                    var stream = await OpenStream.StartAsync(fixture.Api, token, cancel.Token);
                    Assert.True(stream.Status == 200, $"stream {streams.Count + 1}: {stream.Status}");
                    streams.Add(stream);
                }
            }

            // One more on the first token: a problem, not a stream.
            using (var request = ApiCalls.Request(HttpMethod.Get, "/api/monitoring/events/stream", tokens[0]))
            using (var over = await fixture.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token))
            {
                await over.AssertProblemAsync(429);
            }

            // All streams of this instance listen on one connection of this database.
            var listeners = (long)(await fixture.ExecuteAsync(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN monitoring_events%'"))!;
            Assert.Equal(1, listeners);

            using (var health = await fixture.Api.GetAsync("/health", cancel.Token))
            {
                Assert.Equal(200, (int)health.StatusCode);
            }

            await fixture.Api.GetOkAsync("/api/monitoring/connections");

            // An event reaches every open stream.
            using var created = await fixture.Api.PostJsonAsync("/api/monitoring/events", MonitoringCalls.AdminToken,
                new { eventType = "connection_issue", severity = "medium", eventData = new { source = "stream sharing test" } });
            Assert.Equal(201, (int)created.StatusCode);
            var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(cancel.Token)).RootElement.GetProperty("id").GetGuid();
            await Task.WhenAll(streams.Select(s => s.WaitForEventAsync(id, TimeSpan.FromSeconds(10), cancel.Token)));

            // A closed stream frees its client's slot.
            streams[0].Dispose();
            streams.RemoveAt(0);
            var reopened = await MonitoringCalls.PollAsync(
                () => OpenStream.StartAsync(fixture.Api, tokens[0], cancel.Token),
                s =>
                {
                    if (s.Status != 200)
                    {
                        s.Dispose();
                    }

                    return s.Status == 200;
                },
                TimeSpan.FromSeconds(10));
            Assert.Equal(200, reopened.Status);
            streams.Add(reopened);
            await fixture.ExecuteAsync("DELETE FROM monitoring_events WHERE id = @id", ("id", id));
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_API_and_the_console_stream_deliver_the_same_events_while_an_application_table_is_locked()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, "ops@wedsync.test");
        string cookie;
        try
        {
            cookie = string.Join("; ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name}={c.Value}"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        using var client = ApiClients.Create(fixture.Api.BaseAddress!, TimeSpan.FromSeconds(120));
        using var api = await OpenStream.StartAsync(client, ApiCalls.Request(HttpMethod.Get, "/api/monitoring/events/stream", MonitoringCalls.AdminToken), cancel.Token);
        var consoleRequest = new HttpRequestMessage(HttpMethod.Get, "/console/events/stream");
        consoleRequest.Headers.Add("Accept", "text/event-stream");
        consoleRequest.Headers.Add("Cookie", cookie);
        using var console = await OpenStream.StartAsync(client, consoleRequest, cancel.Token);
        Assert.Equal(200, api.Status);
        Assert.Equal(200, console.Status);

        // An operator's psql holds a busy table: the streams still carry what the database announces.
        await using var held = await HeldLock.AccessExclusiveAsync(fixture, "organizations");
        var id = (Guid)(await fixture.ExecuteAsync(
            "SELECT record_db_monitoring_event('connection_issue', 'medium', '{\"source\": \"two channels\"}'::jsonb)"))!;
        try
        {
            var recorded = await Task.WhenAll(api.NextAboutAsync(id, TimeSpan.FromSeconds(20), cancel.Token), console.NextAboutAsync(id, TimeSpan.FromSeconds(20), cancel.Token));
            Assert.Equal("event: monitoring-event", recorded[0].Event);
            Assert.Equal(recorded[0], recorded[1]);

            await fixture.ExecuteAsync("UPDATE monitoring_events SET resolved_at = now() WHERE id = @id", ("id", id));
            var resolved = await Task.WhenAll(api.NextAboutAsync(id, TimeSpan.FromSeconds(20), cancel.Token), console.NextAboutAsync(id, TimeSpan.FromSeconds(20), cancel.Token));
            Assert.Equal("event: monitoring-event-resolved", resolved[0].Event);
            Assert.Equal(resolved[0], resolved[1]);
        }
        finally
        {
            await fixture.ExecuteAsync("DELETE FROM monitoring_events WHERE id = @id", ("id", id));
        }
    }

    private sealed class OpenStream : IDisposable
    {
        private readonly HttpResponseMessage response;
        private readonly StreamReader? reader;

        private OpenStream(HttpResponseMessage response, StreamReader? reader)
        {
            this.response = response;
            this.reader = reader;
        }

        public int Status => (int)response.StatusCode;

        public static Task<OpenStream> StartAsync(HttpClient api, string token, CancellationToken ct) =>
            StartAsync(api, ApiCalls.Request(HttpMethod.Get, "/api/monitoring/events/stream", token), ct);

        public static async Task<OpenStream> StartAsync(HttpClient api, HttpRequestMessage request, CancellationToken ct)
        {
            using var sent = request;
            var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return new OpenStream(response, null);
            }

            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            // The first comment arrives once the hub listens for this stream.
            Assert.StartsWith(":", await reader.ReadLineAsync(ct));
            return new OpenStream(response, reader);
        }

        public async Task WaitForEventAsync(Guid id, TimeSpan within, CancellationToken ct)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(within);
            while (true)
            {
                var line = await reader!.ReadLineAsync(bounded.Token);
                Assert.NotNull(line);
                if (line.StartsWith("data: ", StringComparison.Ordinal)
                    && JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("id").GetGuid() == id)
                {
                    return;
                }
            }
        }

        /// <summary>The next event whose data names <paramref name="id"/>: its event line and its data line, as sent.</summary>
        public async Task<(string Event, string Data)> NextAboutAsync(Guid id, TimeSpan within, CancellationToken ct)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(within);
            var name = "";
            while (true)
            {
                var line = await reader!.ReadLineAsync(bounded.Token);
                Assert.NotNull(line);
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line;
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal)
                         && JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("id").GetGuid() == id)
                {
                    return (name, line);
                }
            }
        }

        public void Dispose()
        {
            reader?.Dispose();
            response.Dispose();
        }
    }
}
