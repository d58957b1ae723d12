using System.Net;
using System.Text.RegularExpressions;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Migrator;
using WedSync.Tests.Monitoring;

namespace WedSync.Tests.AppModel.Telemetry;

/// <summary>
/// Issue 28, telemetry worth reading: a console page is one trace. Blazor starts its route activity as a root of its
/// own (linked, not parented, to the request, because an interactive circuit outlives it), so each page load showed
/// as two traces in the dashboard. Exported over OTLP/HTTP to a receiver of the test's own, as to the dashboard.
/// </summary>
[Collection(AppHostOwnApiCollection.Name)]
public sealed partial class ConsoleTracesTests(AppHostFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Each_console_request_makes_exactly_one_root_trace_holding_its_database_calls()
    {
        await using var receiver = new OtlpReceiver();
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        // Development: the sign-in page's demo-user form, a Blazor form post (its HandleEvent activity was a root too).
        var settings = new Dictionary<string, string>(receiver.Settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
        };
        await using var api = await ApiServer.StartAsync(database.ConnectionString, settings);
        using var client = ApiClients.Create(api.Address);
        var cookies = new CookieContainer();
        var browser = new CookieCarrier(client, cookies);

        // A page: Blazor's route (Navigate) activity.
        var signIn = await RootsOfAsync(receiver, "GET /console/signin", () => browser.GetAsync("/console/signin"));
        var form = await signIn.Response.Content.ReadAsStringAsync();

        // A form post: Blazor's HandleEvent activity, and the sign-in it makes.
        var fields = HiddenInputs().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Email"] = "ops@wedsync.test";
        var posted = await RootsOfAsync(receiver, "POST /console/signin", () => browser.PostAsync("/console/signin", new FormUrlEncodedContent(fields)));
        Assert.True(posted.Response.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {posted.Response.StatusCode}: {await posted.Response.Content.ReadAsStringAsync()}");

        // A signed-in page that reads the database: its queries are children in the request's one trace.
        var events = await RootsOfAsync(receiver, "GET /console/events", () => browser.GetAsync("/console/events"));
        Assert.Equal(HttpStatusCode.OK, events.Response.StatusCode);
        Assert.Contains(receiver.Spans, s => s.TraceId == events.Root.TraceId && s.Kind == 3);
    }

    /// <summary>Sends one console request and returns its answer and its single root span (the request's server span).</summary>
    private static async Task<(HttpResponseMessage Response, ExportedSpan Root)> RootsOfAsync(OtlpReceiver receiver, string what, Func<Task<HttpResponseMessage>> send)
    {
        var from = DateTimeOffset.UtcNow;
        var response = await send();
        var to = DateTimeOffset.UtcNow;
        var request = await MonitoringCalls.PollAsync(
            () => Task.FromResult(receiver.Spans.FirstOrDefault(s => s.IsRoot && s.Kind == 2 && s.Start >= from && s.Start <= to)),
            found => found is not null, Patience);
        Assert.True(request is not null, $"{what}: no server span arrived");
        // Every span of the request has arrived once the receiver stops growing for two export intervals.
        for (var settled = 0; settled < 2;)
        {
            var count = receiver.Spans.Count;
            await Task.Delay(TimeSpan.FromSeconds(1));
            settled = receiver.Spans.Count == count ? settled + 1 : 0;
        }

        // Roots that began while the request ran, other than the background loops' passes.
        var roots = receiver.Spans
            .Where(s => s.IsRoot && s.Start >= from && s.Start <= to && !s.Name.StartsWith("background ", StringComparison.Ordinal))
            .ToList();
        var described = string.Join(", ", receiver.Spans.Where(s => s.Start >= from && s.Start <= to).Select(s => $"{s.Name} ({(s.IsRoot ? "root" : "child")} in {s.TraceId[..8]})"));
        Assert.True(roots.Count == 1, $"{what}: {roots.Count} root traces for one console request: {described}");
        Assert.Equal(request.TraceId, roots[0].TraceId);
        return (response, roots[0]);
    }

    [GeneratedRegex(@"<input type=""hidden"" name=""(?<name>[^""]+)"" value=""(?<value>[^""]*)""")]
    private static partial Regex HiddenInputs();

    /// <summary>A browser's cookie jar over a contract-checked client (the antiforgery and session cookies of the console).</summary>
    private sealed class CookieCarrier(HttpClient client, CookieContainer cookies)
    {
        public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

        public Task<HttpResponseMessage> PostAsync(string path, HttpContent content) =>
            SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content });

        private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            var uri = new Uri(client.BaseAddress!, request.RequestUri!);
            var header = cookies.GetCookieHeader(uri);
            if (header.Length > 0)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await client.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var cookie in set)
                {
                    cookies.SetCookies(uri, cookie);
                }
            }

            return response;
        }
    }
}
