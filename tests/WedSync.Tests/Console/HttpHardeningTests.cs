using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WedSync.Tests.Contract;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;

namespace WedSync.Tests.Console;

/// <summary>
/// Issue 28, hardening, over HTTP: rejections of a too-long URI (414), a wrong content type (415) and
/// too-large headers (431) carry an RFC 9457 problem body; no redirect is built from the Host header a
/// client sent; error pages of the console carry its Content-Security-Policy.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed partial class HttpHardeningTests(AppHostFixture fixture, ConsoleBrowserFixture browser) : IClassFixture<ConsoleBrowserFixture>
{
    private const string Hostile = "evil.example";

    [Theory]
    [InlineData("/api/monitoring/events")]
    [InlineData("/console/events")]
    [InlineData("/health")]
    public async Task A_too_long_uri_is_a_414_problem(string path)
    {
        using var client = Plain();
        using var response = await client.GetAsync($"{path}?filter={new string('a', 9_000)}");
        await AssertProblemAsync(response, HttpStatusCode.RequestUriTooLong);
    }

    [Fact]
    public async Task Too_large_headers_are_a_431_problem()
    {
        using var client = Plain();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/monitoring/events");
        request.Headers.Add("X-Padding", new string('b', 40_000));
        using var response = await client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task Too_many_header_lines_are_a_431_problem()
    {
        using var client = Plain();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/monitoring/events");
        for (var i = 0; i < 150; i++)
        {
            request.Headers.Add($"X-Padding-{i}", "1");
        }

        using var response = await client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task A_body_of_the_wrong_content_type_is_a_415_problem()
    {
        using var client = Plain();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/monitoring/events")
        {
            Content = new StringContent("eventType=performance_alert", Encoding.UTF8, "text/plain"),
        };
        request.Headers.Authorization = new("Bearer", MonitoringCalls.AdminToken);
        using var response = await client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Console_error_answers_carry_the_content_security_policy()
    {
        using var client = Plain();
        var cookie = await CookieAsync("ops@wedsync.test");
        // A page that does not exist, asked for as a browser asks for a page: a 404 problem.
        using var missing = new HttpRequestMessage(HttpMethod.Get, "/console/no-such-page");
        missing.Headers.Add("Sec-Fetch-Dest", "document");
        missing.Headers.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        missing.Headers.Add("Cookie", cookie);
        using var notFound = await client.SendAsync(missing);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("application/problem+json", notFound.Content.Headers.ContentType?.MediaType);
        AssertPolicy(notFound);

        // The live stream as an EventSource asks for it, signed out: not a page, so a 401 rather than a
        // redirect to the HTML sign-in page (which the EventSource would report as an error).
        using var stream = new HttpRequestMessage(HttpMethod.Get, "/console/events/stream");
        stream.Headers.Add("Sec-Fetch-Dest", "empty");
        stream.Headers.Add("Accept", "text/event-stream");
        using var unauthorized = await client.SendAsync(stream);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Null(unauthorized.Headers.Location);
        AssertPolicy(unauthorized);
    }

    private static void AssertPolicy(HttpResponseMessage response)
    {
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        // Scripts from this app's files only: no inline script, no eval.
        var scripts = policy.Split(';').Select(directive => directive.Trim()).Single(directive => directive.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Equal("script-src 'self'", scripts);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task No_console_redirect_names_a_hostile_Host()
    {
        using var client = Plain();
        var locations = new List<string>();

        // Nobody signed in: to the sign-in page.
        locations.Add(await LocationAsync(client, HttpMethod.Get, "/console/events", null, null));

        // A vendor's landing redirect (Blazor's NavigateTo makes an absolute URL of the request's Host).
        var owner = await CookieAsync("owner@evergreen.test");
        locations.Add(await LocationAsync(client, HttpMethod.Get, "/console", owner, null));

        // The demo sign-in form's redirect back, and sign-out.
        var (formCookie, fields) = await FormAsync(client, "/console/signin?returnUrl=console%2Fevents", null);
        fields["Email"] = "ops@wedsync.test";
        locations.Add(await LocationAsync(client, HttpMethod.Post, "/console/signin?returnUrl=console%2Fevents", formCookie, fields));
        var admin = await CookieAsync("ops@wedsync.test");
        var (signOutCookie, signOutFields) = await FormAsync(client, "/console/events", admin);
        locations.Add(await LocationAsync(client, HttpMethod.Post, "/console/signout", $"{admin}; {signOutCookie}", signOutFields));

        Assert.All(locations, location =>
        {
            Assert.DoesNotContain(Hostile, location, StringComparison.OrdinalIgnoreCase);
            Assert.StartsWith("/console", location, StringComparison.Ordinal);
        });
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
    }

    /// <summary>The Location of an answer to a request whose Host header is <see cref="Hostile"/>.</summary>
    private static async Task<string> LocationAsync(HttpClient client, HttpMethod method, string path, string? cookie, Dictionary<string, string>? form)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Host = Hostile;
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        using var response = await client.SendAsync(request);
        var location = response.Headers.Location?.OriginalString;
        Assert.True(location is not null, $"{method} {path}: {(int)response.StatusCode} without a Location: {await response.Content.ReadAsStringAsync()}");
        return location;
    }

    /// <summary>A console form's hidden fields (antiforgery token, Blazor's handler name) and the antiforgery cookie.</summary>
    private static async Task<(string Cookie, Dictionary<string, string> Fields)> FormAsync(HttpClient client, string path, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = Hostile;
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        using var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        var fields = new Dictionary<string, string>();
        // The first form of the page (sign-in's demo form; the header's sign-out form).
        var form = FormElement().Match(html);
        Assert.True(form.Success, html);
        foreach (Match input in InputElement().Matches(form.Value))
        {
            var (type, name, value) = (Attribute(input.Value, "type"), Attribute(input.Value, "name"), Attribute(input.Value, "value"));
            if (type == "hidden" && name is not null)
            {
                fields[name] = value ?? "";
            }
        }

        var antiforgery = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? string.Join("; ", cookies.Select(c => c.Split(';')[0]))
            : "";
        return (antiforgery, fields);
    }

    // The API's answers (414, 431, 415 problems) are checked against the document like every other client's.
    private HttpClient Plain() => ApiClients.Create(fixture.Api.BaseAddress!, TimeSpan.FromSeconds(60));

    private async Task<string> CookieAsync(string email)
    {
        var page = await ConsolePages.SignInAsync(browser.Browser, fixture.Api.BaseAddress!, email);
        try
        {
            return string.Join("; ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name}={c.Value}"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [GeneratedRegex("<form\\b[^>]*method=\"post\"[\\s\\S]*?</form>", RegexOptions.IgnoreCase)]
    private static partial Regex FormElement();

    private static string? Attribute(string element, string name)
    {
        var match = Regex.Match(element, $"\\b{name}=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase);
        return match.Success ? WebUtility.HtmlDecode(match.Groups["value"].Value) : null;
    }

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputElement();
}
