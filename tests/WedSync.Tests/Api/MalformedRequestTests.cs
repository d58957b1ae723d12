using System.Text.Json;
using WedSync.Tests.Api.Support;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>
/// Done-when 3: a hundred and more malformed requests from a caller who may write (an org owner):
/// not one 5xx, every answer problem details, and not one row of the tenant tables changed.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class MalformedRequestTests(AppHostFixture fixture)
{
    private const string Json = "application/json";

    [Fact]
    public async Task Hundred_malformed_requests_give_no_5xx_only_problem_details_and_write_nothing()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER", "MEMBER");
        var token = organization["OWNER"].Token();
        var cases = Cases(organization["MEMBER"].Id).ToList();
        Assert.True(cases.Count >= 100, $"only {cases.Count} cases");
        var before = await fixture.TenantTablesFingerprintAsync();

        var failures = new List<string>();
        foreach (var (name, send) in cases)
        {
            using var response = await send(fixture.Api, token);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            var isProblem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" && IsJsonObject(body);
            if (status is < 400 or >= 500 || !isProblem)
            {
                failures.Add($"{name}: {status} {response.Content.Headers.ContentType} {body[..Math.Min(body.Length, 200)]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await fixture.TenantTablesFingerprintAsync());
    }

    private static IEnumerable<(string Name, Func<HttpClient, string, Task<HttpResponseMessage>> Send)> Cases(Guid memberId)
    {
        var member = $"/api/members/{memberId}";

        (string, Func<HttpClient, string, Task<HttpResponseMessage>>) PatchMember(string name, string body, string contentType = Json) =>
            ($"PATCH member {name}", (api, token) => api.PatchRawAsync(member, token, body, contentType));
        (string, Func<HttpClient, string, Task<HttpResponseMessage>>) PatchMemberLarge(string name, string body) =>
            ($"PATCH member {name}", (api, token) => api.PatchRawAsync(member, token, body, Json, expectContinue: true));
        (string, Func<HttpClient, string, Task<HttpResponseMessage>>) PatchOrganization(string name, string body) =>
            ($"PATCH organization {name}", (api, token) => api.PatchRawAsync("/api/organization", token, body, Json));
        (string, Func<HttpClient, string, Task<HttpResponseMessage>>) Get(string path) =>
            ($"GET {path}", (api, token) => api.GetAsync(path, token));
        string Body(object value) => JsonSerializer.Serialize(value);

        // Bad JSON.
        foreach (var body in new[]
        {
            "{", "}", "[", "]", "{\"displayName\":", "{\"displayName\":\"x\"", "not json", "{'displayName':'x'}",
            "{\"displayName\":\"x\",}", "{displayName:\"x\"}", "\"just a string\"", "123", "null", "", "{\"displayName\":\"x\"} trailing",
            "{\"displayName\":\"\\ud800\"}", "{\"displayName\":\"x\\q\"}", "{\"displayName\":NaN}", "{\"role\":\"ADMIN\",\"role\":}", "\u0000",
        })
        {
            yield return PatchMember($"bad json {body}", body);
        }

        yield return PatchOrganization("bad json", "{\"name\":");
        yield return PatchOrganization("empty object", "{}");

        // Wrong types.
        foreach (var body in new[]
        {
            "{\"displayName\":123}", "{\"displayName\":true}", "{\"displayName\":[]}", "{\"displayName\":{}}", "{\"displayName\":1.5}",
            "{\"role\":1}", "{\"role\":[\"ADMIN\"]}", "{\"role\":{}}", "{\"role\":false}", "{\"id\":5,\"displayName\":\"x\"}",
            "{\"id\":\"not-a-guid\",\"displayName\":\"x\"}",
        })
        {
            yield return PatchMember($"wrong type {body}", body);
        }

        yield return PatchOrganization("name as number", "{\"name\":5}");
        yield return PatchOrganization("slug as array", "{\"slug\":[\"a\"]}");
        yield return PatchOrganization("name as object", "{\"name\":{\"first\":\"x\"}}");

        // Huge strings: beyond the field limits, and beyond the body limit.
        yield return PatchMember("display name of 101 characters", Body(new { displayName = new string('x', 101) }));
        yield return PatchMember("display name of 1000 characters", Body(new { displayName = new string('x', 1000) }));
        yield return PatchMember("display name of 60000 characters", Body(new { displayName = new string('x', 60_000) }));
        yield return PatchMemberLarge("body above the limit", Body(new { displayName = new string('x', 70_000) }));
        yield return PatchMemberLarge("body far above the limit", Body(new { displayName = new string('x', 1_000_000) }));
        yield return PatchOrganization("name of 201 characters", Body(new { name = new string('n', 201) }));
        yield return PatchOrganization("slug of 101 characters", Body(new { slug = new string('s', 101) }));
        yield return Get("/api/members?page=" + new string('9', 4000));
        yield return Get("/api/members?pageSize=" + new string('1', 30));
        yield return Get($"/api/members/{new string('a', 4000)}");

        // Unknown enum values.
        foreach (var role in new[] { "SUPERUSER", "owner", "Owner", "", " ADMIN", "ADMIN ", "OWNER\u0000", "PLATFORM_ADMIN", "1", "null", "platform_admin" })
        {
            yield return PatchMember($"role '{role}'", Body(new { role }));
        }

        // Negative, zero, oversized and non-numeric paging.
        foreach (var query in new[]
        {
            "pageSize=-1", "pageSize=0", "pageSize=101", "pageSize=-2147483648", "pageSize=2147483648", "pageSize=abc", "pageSize=1.5",
            "pageSize=", "page=0", "page=-1", "page=1000001", "page=-5&pageSize=-5", "pageSize=%00", "pageSize=1e3", "page=NaN",
        })
        {
            yield return Get($"/api/members?{query}");
        }

        // SQL injection, in every place input enters.
        foreach (var injection in new[]
        {
            "1' OR '1'='1", "'; DROP TABLE user_profiles; --", "1; UPDATE user_profiles SET role='OWNER'", "' UNION SELECT * FROM pg_shadow --",
        })
        {
            var encoded = Uri.EscapeDataString(injection);
            yield return Get($"/api/members/{encoded}");
            yield return Get($"/api/members?page={encoded}");
            yield return Get($"/api/members?pageSize={encoded}");
            yield return PatchMember($"role {injection}", Body(new { role = injection }));
            yield return PatchMember($"display name {injection} with a bad role", Body(new { displayName = injection, role = "GOD" }));
            yield return PatchOrganization($"slug {injection}", Body(new { slug = injection }));
        }

        // Script injection and control characters.
        foreach (var script in new[] { "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)" })
        {
            yield return PatchMember($"role {script}", Body(new { role = script }));
            yield return PatchOrganization($"slug {script}", Body(new { slug = script }));
            yield return Get($"/api/members?page={Uri.EscapeDataString(script)}");
        }

        foreach (var control in new[] { "\u0000abc", "line\nbreak", "tab\there", "bell\u0007", "\u001b[31mred", "del\u007f", "next\u0085line" })
        {
            yield return PatchMember($"display name with control character {(int)control.First(char.IsControl)}", Body(new { displayName = control }));
        }

        yield return PatchOrganization("name with NUL", Body(new { name = "Evil\u0000Corp" }));
        yield return PatchOrganization("blank name", Body(new { name = "   " }));

        // Mass assignment: fields the request does not have are refused, not ignored.
        yield return PatchMember("organizationId", Body(new { displayName = "x", organizationId = Guid.NewGuid() }));
        yield return PatchMember("userId", Body(new { displayName = "x", userId = Guid.NewGuid() }));
        yield return PatchMember("email", Body(new { displayName = "x", email = "boss@evil.test" }));
        yield return PatchMember("createdAt", Body(new { role = "ADMIN", createdAt = DateTime.UtcNow }));
        yield return PatchOrganization("id", Body(new { name = "x", id = Guid.NewGuid() }));

        // Bodies that are not JSON at all.
        yield return PatchMember("form body", "displayName=x&role=OWNER", "application/x-www-form-urlencoded");
        yield return PatchMember("text body", "{\"displayName\":\"x\"}", "text/plain");
        yield return PatchMember("xml body", "<member><displayName>x</displayName></member>", "application/xml");
    }

    private static bool IsJsonObject(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
