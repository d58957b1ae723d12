using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Monitoring;

namespace WedSync.Tests.Contract;

/// <summary>
/// The response check can fail: answers the live document does not allow, crafted behind the real
/// validator, each fail with the operation, the status and what differs. Its violations are kept out
/// of <see cref="ContractLog"/>, which must stay empty for CI.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ContractValidatorTests(AppHostFixture fixture)
{
    private const string Json = "application/json";
    private const string Problem = "application/problem+json";

    [Fact]
    public async Task An_undocumented_status_fails_naming_the_operation_and_the_declared_statuses()
    {
        var message = await ViolationAsync(HttpMethod.Get, "/api/members?page=2", HttpStatusCode.Conflict, Problem, ProblemBody(409));
        Assert.Contains("GET /api/members (MembersList) answered 409, which the document does not declare", message, StringComparison.Ordinal);
        Assert.Contains("declared: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_success_the_operation_does_not_give_fails()
    {
        // Shares answer 201; a 200 is what the document said before it told the truth.
        var body = """{"shareId":"5f0c3f4e-8a52-4f0e-9d55-1d2b3c4d5e6f","code":"ABCD2345","shareType":"link","platform":null,"createdAt":"2026-01-01T00:00:00Z"}""";
        var message = await ViolationAsync(HttpMethod.Post, "/api/referrals/ABCD2345/shares", HttpStatusCode.OK, Json, body);
        Assert.Contains("(ReferralsShare) answered 200, which the document does not declare", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_media_type_the_document_does_not_declare_fails()
    {
        var message = await ViolationAsync(HttpMethod.Get, "/api/members/6a1f0c3e-0000-4000-8000-000000000001", HttpStatusCode.NotFound, "text/plain", "not found");
        Assert.Contains("(MembersGet) answered 404 as 'text/plain', the document declares application/problem+json", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_missing_a_required_member_fails_with_the_member()
    {
        var message = await ViolationAsync(HttpMethod.Get, "/api/version", HttpStatusCode.OK, Json, """{"apiVersion":"1.0.0"}""");
        Assert.Contains("(SystemGetVersion) answered 200 application/json with a body that does not match #/components/schemas/SystemGetVersionResponse", message, StringComparison.Ordinal);
        Assert.Contains("databaseVersion", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undocumented_member_and_a_wrong_type_fail()
    {
        using var live = await fixture.Api.GetAsync("/api/version");
        var body = JsonNode.Parse(await live.Content.ReadAsStringAsync())!.AsObject();
        body["unexpected"] = 1;
        var extra = await ViolationAsync(HttpMethod.Get, "/api/version", HttpStatusCode.OK, Json, body.ToJsonString());
        Assert.Contains("/unexpected", extra, StringComparison.Ordinal);

        body.Remove("unexpected");
        body["apiVersion"] = 5;
        var wrongType = await ViolationAsync(HttpMethod.Get, "/api/version", HttpStatusCode.OK, Json, body.ToJsonString());
        Assert.Contains("/apiVersion", wrongType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enum_value_as_csharp_names_it_fails()
    {
        // GET /api/migrations sends "missing file"; the C# name MissingFile is not on the wire. The live
        // report with one script's state changed, so the rest of the body stays what the API sends.
        var live = JsonNode.Parse((await fixture.Api.GetOkAsync("/api/migrations")).GetRawText())!;
        string Report(string state)
        {
            live["scripts"]![0]!["state"] = state;
            return live.ToJsonString();
        }

        var message = await ViolationAsync(HttpMethod.Get, "/api/migrations", HttpStatusCode.OK, Json, Report("MissingFile"));
        Assert.Contains("(MigrationsGetStatus) answered 200 application/json with a body that does not match", message, StringComparison.Ordinal);
        Assert.Contains("/scripts/0/state", message, StringComparison.Ordinal);
        Assert.Null(await ViolationOrNullAsync(HttpMethod.Get, "/api/migrations", HttpStatusCode.OK, Json, Report("missing file")));
    }

    [Fact]
    public async Task A_problem_without_trace_id_and_a_body_where_none_is_declared_fail()
    {
        var noTrace = await ViolationAsync(HttpMethod.Get, "/api/organization", HttpStatusCode.Forbidden, Problem, """{"status":403,"title":"Forbidden"}""");
        Assert.Contains("traceId", noTrace, StringComparison.Ordinal);

        var redirectWithBody = await ViolationAsync(HttpMethod.Get, "/r/ABCD2345", HttpStatusCode.Found, Json, "{}");
        Assert.Contains("(ReferralsClick) answered 302 with a application/json body, but the document declares no body for 302", redirectWithBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_the_document_does_not_have_fails_unless_it_is_the_platform_404()
    {
        var message = await ViolationAsync(HttpMethod.Get, "/api/not-documented", HttpStatusCode.OK, Json, "{}");
        Assert.Contains("no operation in the document (unknown path)", message, StringComparison.Ordinal);

        Assert.Null(await ViolationOrNullAsync(HttpMethod.Get, "/api/not-documented", HttpStatusCode.NotFound, Problem, ProblemBody(404)));
    }

    [Fact]
    public async Task A_conforming_answer_passes_and_the_test_can_still_read_its_body()
    {
        using var live = await fixture.Api.GetAsync("/api/version");
        var body = await live.Content.ReadAsStringAsync();
        Assert.Null(await ViolationOrNullAsync(HttpMethod.Get, "/api/version", HttpStatusCode.OK, Json, body));
    }

    private async Task<string> ViolationAsync(HttpMethod method, string path, HttpStatusCode status, string mediaType, string body) =>
        await ViolationOrNullAsync(method, path, status, mediaType, body)
        ?? throw new Xunit.Sdk.XunitException($"{method} {path} answered {(int)status} {mediaType} passed the contract check");

    /// <summary>Sends through the real validator with the live document, the answer crafted instead of the API's.</summary>
    private async Task<string?> ViolationOrNullAsync(HttpMethod method, string path, HttpStatusCode status, string mediaType, string body)
    {
        var recorded = new List<string>();
        using var client = new HttpClient(new ContractValidatingHandler(new CraftedAnswer(status, mediaType, body), record: recorded.Add))
        {
            BaseAddress = fixture.Api.BaseAddress,
        };
        try
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
            Assert.Empty(recorded);
            return null;
        }
        catch (ContractViolationException violation)
        {
            Assert.Equal([violation.Message], recorded);
            return violation.Message;
        }
    }

    private static string ProblemBody(int status) => $$"""{"status":{{status}},"title":"x","traceId":"0af7651916cd43dd8448eb211c80319c"}""";

    private sealed class CraftedAnswer(HttpStatusCode status, string mediaType, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status)
            {
                RequestMessage = request,
                Content = new StringContent(body, Encoding.UTF8, mediaType),
            });
    }
}
