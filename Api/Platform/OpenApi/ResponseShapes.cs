using NJsonSchema;
using NSwag;
using WedSync.Api.Platform.Problems;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// What a client can rely on in a response body, which the schema generator leaves unsaid:
/// <list type="bullet">
/// <item>every member of a success body is present: System.Text.Json writes each property, a null one as
/// <c>null</c> (its schema says <c>nullable</c>), so all are <c>required</c>;</item>
/// <item>a problem body (RFC 9457) always has <c>status</c> and <c>traceId</c>, may lack <c>type</c>,
/// <c>title</c>, <c>detail</c> and <c>instance</c> (ASP.NET Core leaves null ones out), and may carry
/// extension members (<c>errors</c>, <c>reasons</c>, <c>fraudScore</c>...);</item>
/// <item>identifiers are <c>uuid</c>, the format's registered name (the generator says <c>guid</c>).</item>
/// </list>
/// Schemas that also describe a request body are left as they are: there, optional is optional.
/// </summary>
public static class ResponseShapes
{
    public static void Apply(OpenApiDocument document)
    {
        var operations = document.Paths.Values.SelectMany(path => path.Values).ToList();
        var requests = Reachable(operations
            .SelectMany(operation => operation.RequestBody?.Content.Values ?? [])
            .Select(media => media.Schema));
        var responses = Reachable(operations
            .SelectMany(operation => operation.Responses.Values)
            .SelectMany(response => response.Content.Values)
            .Select(media => media.Schema));

        var names = new FeatureSchemaNames();
        var problemSchemas = new[] { typeof(ProblemResponse), typeof(ValidationProblemResponse) }
            .Select(type => document.Components.Schemas.TryGetValue(names.Generate(type), out var schema) ? schema : null)
            .OfType<JsonSchema>()
            .SelectMany(schema => schema.AllOf.Select(part => part.ActualSchema).Append(schema))
            .ToHashSet();

        foreach (var schema in responses.Except(requests))
        {
            if (problemSchemas.Contains(schema))
            {
                schema.AllowAdditionalProperties = true;
                schema.RequiredProperties.Clear();
                foreach (var always in new[] { "status", "traceId" }.Where(schema.Properties.ContainsKey))
                {
                    schema.RequiredProperties.Add(always);
                }
            }
            else
            {
                foreach (var name in schema.Properties.Keys.Where(name => !schema.RequiredProperties.Contains(name)))
                {
                    schema.RequiredProperties.Add(name);
                }
            }
        }

        foreach (var schema in requests.Union(responses))
        {
            foreach (var property in schema.Properties.Values.Where(p => p.Format == "guid"))
            {
                property.Format = "uuid";
            }

            if (schema.Item is { Format: "guid" } item)
            {
                item.Format = "uuid";
            }
        }

        foreach (var parameter in operations.SelectMany(operation => operation.Parameters).Where(p => p.Schema?.Format == "guid"))
        {
            parameter.Schema.Format = "uuid";
        }
    }

    /// <summary>Every schema a body can contain, through references, members, items and compositions.</summary>
    private static HashSet<JsonSchema> Reachable(IEnumerable<JsonSchema?> roots)
    {
        var seen = new HashSet<JsonSchema>();
        var pending = new Stack<JsonSchema>(roots.OfType<JsonSchema>());
        while (pending.TryPop(out var schema))
        {
            if (!seen.Add(schema))
            {
                continue;
            }

            IEnumerable<JsonSchema?> next =
            [
                schema.Reference, schema.Item, schema.AdditionalPropertiesSchema,
                .. schema.Properties.Values, .. schema.Items, .. schema.AllOf, .. schema.OneOf, .. schema.AnyOf,
            ];
            foreach (var child in next.OfType<JsonSchema>())
            {
                pending.Push(child);
            }
        }

        return seen;
    }
}
