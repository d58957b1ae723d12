using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace WedSync.Tests.Contract;

/// <summary>
/// The API's OpenAPI document as a checker of responses: for a request's method and path it finds
/// the operation, and tells what in a response the document does not allow (status, media type,
/// body schema). Paths outside the API (health, the document itself) are not the contract's.
/// </summary>
public sealed class OpenApiContract
{
    /// <summary>
    /// Served by the API but not operations of its document (health probes, the document, its viewer),
    /// and by design the operator console: /console answers HTML pages to a browser, not API operations,
    /// and blazor.web.js and the Fluent UI assets it loads (/_framework/, /_content/) are static files.
    /// </summary>
    private static readonly string[] OutsidePrefixes = ["/health", "/alive", "/openapi/", "/scalar/", "/console/", "/_framework/", "/_content/"];

    private static readonly ConcurrentDictionary<Uri, Lazy<Task<OpenApiContract>>> Loaded = new();

    private readonly List<Route> routes;
    private readonly JsonObject definitions;
    private readonly ConcurrentDictionary<string, JsonSchema> schemas = new();

    public OpenApiContract(JsonObject document)
    {
        definitions = OpenApiSchemas.Definitions(document);
        routes = [];
        foreach (var (template, item) in (JsonObject)document["paths"]!)
        {
            routes.Add(new Route(template, template.Trim('/').Split('/'), (JsonObject)item!));
        }

        // Literal segments win over parameters: /api/monitoring/events/stream before /api/monitoring/events/{id}.
        routes.Sort((a, b) => b.LiteralCount.CompareTo(a.LiteralCount));
    }

    /// <summary>The live document of the API at <paramref name="baseAddress"/>, fetched once per address.</summary>
    public static async Task<OpenApiContract> ForAsync(Uri baseAddress)
    {
        var loading = Loaded.GetOrAdd(baseAddress, address => new Lazy<Task<OpenApiContract>>(() => LoadAsync(address)));
        try
        {
            return await loading.Value;
        }
        catch
        {
            // An API that was not up yet is asked again by the next answer, not given up on for good.
            Loaded.TryRemove(KeyValuePair.Create(baseAddress, loading));
            throw;
        }
    }

    private static async Task<OpenApiContract> LoadAsync(Uri baseAddress)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        for (var attempt = 1; ; attempt++)
        {
            // A caller of its own (a fresh user's rate-limit window), so tests that used up the anonymous
            // window of this address do not keep the document from the check.
            using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Api.Support.TestTokens.For(Guid.NewGuid()));
            using var response = await client.SendAsync(request);
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1)));
                continue;
            }

            response.EnsureSuccessStatusCode();
            return new OpenApiContract((JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }
    }

    public static bool IsOutside(string path) =>
        OutsidePrefixes.Any(prefix => path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || path == prefix.TrimEnd('/'));

    /// <summary>What the document does not allow in this answer; empty when it conforms.</summary>
    /// <param name="body">The body as received, null when it is a stream that is not read here.</param>
    public IReadOnlyList<string> Check(HttpMethod method, string path, int status, MediaTypeHeaderValue? contentType, string? body)
    {
        var route = routes.FirstOrDefault(r => r.Matches(path));
        var operation = route?.Item[method.Method.ToLowerInvariant()] as JsonObject;
        if (operation is null)
        {
            // No operation can document the answer to a path or method the API does not have; it must
            // still be the platform's problem response for that.
            return status is 404 or 405 && contentType?.MediaType == "application/problem+json"
                ? []
                : [$"{method} {path}: no operation in the document ({(route is null ? "unknown path" : $"{route.Template} has no {method}")}), answered {status} {contentType?.MediaType}"];
        }

        var name = $"{method} {route!.Template} ({operation["operationId"]})";
        var responses = (JsonObject)operation["responses"]!;
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = responses[key] ?? responses[$"{key[0]}XX"] ?? responses["default"];
        if (response is null)
        {
            return [$"{name} answered {status}, which the document does not declare (declared: {string.Join(", ", responses.Select(r => r.Key))}). Body: {Excerpt(body)}"];
        }

        var content = response["content"] as JsonObject;
        var hasBody = !string.IsNullOrEmpty(body) || (body is null && contentType is not null);
        if (content is null || content.Count == 0)
        {
            return hasBody
                ? [$"{name} answered {status} with a {contentType?.MediaType} body, but the document declares no body for {status}. Body: {Excerpt(body)}"]
                : [];
        }

        if (contentType?.MediaType is not { } mediaType || content[mediaType] is not JsonObject media)
        {
            return [$"{name} answered {status} as '{contentType?.MediaType ?? "no content type"}', the document declares {string.Join(", ", content.Select(c => c.Key))}. Body: {Excerpt(body)}"];
        }

        if (body is null || media["schema"] is not { } schema)
        {
            return [];
        }

        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException exception)
        {
            return [$"{name} answered {status} {mediaType} with a body that is not JSON ({exception.Message}). Body: {Excerpt(body)}"];
        }

        var schemaKey = $"{route.Template} {method} {key} {mediaType}";
        var compiled = schemas.GetOrAdd(schemaKey, _ => JsonSchema.Build(JsonSerializer.SerializeToElement(OpenApiSchemas.Standalone(schema, definitions))));
        var result = compiled.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return [];
        }

        var reference = schema["$ref"]?.GetValue<string>() ?? "its inline schema";
        var errors = (result.Details ?? [])
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error => $"{(detail.InstanceLocation.ToString() is "" ? "(root)" : detail.InstanceLocation)}: {error.Value} [{detail.EvaluationPath}]"))
            .Distinct()
            .Take(12);
        return [$"{name} answered {status} {mediaType} with a body that does not match {reference}:\n  {string.Join("\n  ", errors)}\n  Body: {Excerpt(body)}"];
    }

    private static string Excerpt(string? body) =>
        body is null ? "(not read)" : body.Length == 0 ? "(empty)" : body.Length <= 400 ? body : body[..400] + "...";

    private sealed record Route(string Template, string[] Segments, JsonObject Item)
    {
        public int LiteralCount => Segments.Count(segment => !segment.StartsWith('{'));

        public bool Matches(string path)
        {
            var parts = path.Trim('/').Split('/');
            if (parts.Length != Segments.Length)
            {
                return false;
            }

            for (var i = 0; i < parts.Length; i++)
            {
                var isParameter = Segments[i].StartsWith('{');
                if (isParameter ? parts[i].Length == 0 : !string.Equals(Segments[i], Uri.UnescapeDataString(parts[i]), StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
