using System.Net;
using System.Text.Json;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>Done-when 5: /openapi/v1.json describes every endpoint, its auth and its problem responses.</summary>
[Collection(AppHostCollection.Name)]
public sealed class OpenApiDocumentTests(AppHostFixture fixture)
{
    private static readonly string[] AnonymousOperations = ["SystemGetVersion", "ReferralsClick", "ReferralsClickHead"];

    [Fact]
    public async Task Document_lists_every_endpoint_with_its_security_and_problem_responses()
    {
        using var response = await fixture.Api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var operations = root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => operation.Value))
            .ToDictionary(operation => operation.GetProperty("operationId").GetString()!);

        // Every endpoint class of the API (Features/<Area>[/<Subsystem>]/<UseCase>/Endpoint) has its operation, <Area><UseCase>.
        var endpoints = typeof(WedSync.Api.Platform.Auth.DemoUsers).Assembly.GetTypes()
            .Where(type => type is { Name: "Endpoint", IsAbstract: false } && type.Namespace!.StartsWith("WedSync.Api.Features.", StringComparison.Ordinal))
            .Select(type => type.Namespace!["WedSync.Api.Features.".Length..].Split('.'))
            .Select(parts => parts[0] + parts[^1])
            .ToList();
        Assert.NotEmpty(endpoints);
        // A HEAD twin of a GET (ReferralsClickHead) is the same endpoint class.
        Assert.Equal(endpoints.Order(), operations.Keys.Where(id => !(id.EndsWith("Head", StringComparison.Ordinal) && operations.ContainsKey(id[..^4]))).Order());
        Assert.Contains("ReferralsClickHead", operations.Keys);

        foreach (var (id, operation) in operations)
        {
            var responses = operation.GetProperty("responses");
            var secured = operation.GetProperty("security").EnumerateArray().Any(requirement => requirement.TryGetProperty("bearer", out _));
            Assert.True(secured != AnonymousOperations.Contains(id), $"{id}: secured={secured}");

            string[] problems = secured ? ["401", "403", "429", "500"] : ["429", "500"];
            foreach (var status in problems)
            {
                Assert.True(responses.TryGetProperty(status, out var problem), $"{id} does not document {status}");
                var schema = problem.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString();
                Assert.EndsWith("ProblemResponse", schema, StringComparison.Ordinal);
            }

            var takesInput = operation.TryGetProperty("parameters", out _) || operation.TryGetProperty("requestBody", out _);
            Assert.True(!takesInput || responses.TryGetProperty("400", out _), $"{id} takes input but does not document 400");
        }

        Assert.True(operations["MembersGet"].GetProperty("responses").TryGetProperty("404", out _));
        Assert.True(operations["MembersGet"].GetProperty("responses").TryGetProperty("503", out _));
        Assert.True(operations["MembersUpdate"].GetProperty("responses").TryGetProperty("404", out _));
        Assert.True(operations["OrganizationUpdate"].GetProperty("responses").TryGetProperty("409", out _));
    }

    /// <summary>Issue 16's examples: each operation documents the statuses it answers, and only those successes.</summary>
    [Theory]
    [InlineData("ReferralsCreate", "201,400,401,403,409,414,415,422,429,431,500,503")]
    [InlineData("ReferralsShare", "201,400,401,403,404,414,415,429,431,500,503")]
    [InlineData("MonitoringRecordEvent", "201,400,401,403,414,415,429,431,500,503")]
    [InlineData("ReferralsClick", "302,400,404,414,429,431,500,503")]
    [InlineData("ReferralsConvert", "200,400,401,403,404,414,415,422,429,431,500,503")]
    [InlineData("MonitoringQueryStats", "200,400,401,403,414,429,431,500,501,503")]
    [InlineData("MonitoringEventStream", "200,401,403,414,429,431,500,503")]
    public async Task Operation_documents_the_statuses_it_answers(string operationId, string statuses)
    {
        var operation = await OperationAsync(operationId);
        Assert.Equal(statuses.Split(','), operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Redirects_have_a_location_and_no_body_and_streams_their_media_type()
    {
        var found = (await OperationAsync("ReferralsClick")).GetProperty("responses").GetProperty("302");
        Assert.True(found.GetProperty("headers").TryGetProperty("Location", out _));
        Assert.False(found.TryGetProperty("content", out _));

        var stream = (await OperationAsync("MonitoringEventStream")).GetProperty("responses").GetProperty("200");
        Assert.Equal(["text/event-stream"], stream.GetProperty("content").EnumerateObject().Select(c => c.Name));
    }

    /// <summary>Query parameters the binder defaults are optional, with that default; path parameters stay required.</summary>
    [Theory]
    [InlineData("MembersList", "page", 1)]
    [InlineData("MembersList", "pageSize", 20)]
    [InlineData("MonitoringTables", "sort", "deadTuples")]
    [InlineData("MonitoringQueryStats", "top", 20)]
    [InlineData("MonitoringQueryStats", "orderBy", "totalTime")]
    [InlineData("MonitoringSlowQueries", "minDurationMs", 100)]
    [InlineData("ReferralsLeaderboard", "period", "all")]
    [InlineData("MonitoringListEvents", "pageSize", 50)]
    public async Task Defaulted_query_parameters_are_optional_with_their_default(string operationId, string name, object expected)
    {
        var parameter = (await OperationAsync(operationId)).GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        Assert.False(parameter.TryGetProperty("required", out var required) && required.GetBoolean(), $"{operationId} {name} is required");
        Assert.Equal(JsonSerializer.Serialize(expected), parameter.GetProperty("schema").GetProperty("default").GetRawText());
    }

    [Fact]
    public async Task Every_query_parameter_is_optional_and_every_path_parameter_required()
    {
        var root = await DocumentAsync();
        foreach (var parameter in root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .SelectMany(operation => operation.Value.TryGetProperty("parameters", out var list) ? list.EnumerateArray() : Enumerable.Empty<JsonElement>()))
        {
            var required = parameter.TryGetProperty("required", out var flag) && flag.GetBoolean();
            Assert.True(required == (parameter.GetProperty("in").GetString() == "path"), parameter.GetRawText());
        }
    }

    [Fact]
    public async Task Enum_values_are_the_ones_sent()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        Assert.Equal(["applied", "pending", "modified", "unknown", "missing file"], Enum(schemas, "ScriptState"));
        Assert.Equal(["complete", "pending", "modified", "missing file"], Enum(schemas, "RequestState"));

        static IEnumerable<string> Enum(JsonElement schemas, string name) =>
            schemas.GetProperty(name).GetProperty("enum").EnumerateArray().Select(value => value.GetString()!);
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await fixture.Api.GetAsync("/openapi/v1.json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<JsonElement> OperationAsync(string operationId) =>
        (await DocumentAsync()).GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => operation.Value))
            .Single(operation => operation.GetProperty("operationId").GetString() == operationId);
}
