using System.Net;
using System.Text.Json;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Api;

/// <summary>Done-when 5: /openapi/v1.json describes every endpoint, its auth and its problem responses.</summary>
[Collection(AppHostCollection.Name)]
public sealed class OpenApiDocumentTests(AppHostFixture fixture)
{
    private static readonly string[] AnonymousOperations = ["SystemGetVersion", "ReferralsClick"];

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

        // Every endpoint class of the API (Features/<Area>/<UseCase>/Endpoint) has its operation.
        var endpoints = typeof(WedSync.Api.Platform.Auth.DemoUsers).Assembly.GetTypes()
            .Where(type => type is { Name: "Endpoint", IsAbstract: false } && type.Namespace!.StartsWith("WedSync.Api.Features.", StringComparison.Ordinal))
            .Select(type => string.Concat(type.Namespace!["WedSync.Api.Features.".Length..].Split('.')))
            .ToList();
        Assert.NotEmpty(endpoints);
        Assert.Equal(endpoints.Order(), operations.Keys.Order());

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
        Assert.True(operations["MembersUpdate"].GetProperty("responses").TryGetProperty("404", out _));
        Assert.True(operations["OrganizationUpdate"].GetProperty("responses").TryGetProperty("409", out _));
    }
}
