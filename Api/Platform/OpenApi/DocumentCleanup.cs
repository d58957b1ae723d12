using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// Finishing touches that make the document say what the API does: anonymous operations state that
/// they need no credentials, every member of a response body is required (System.Text.Json writes
/// each one, null included), problem bodies allow their extension members, and request types that
/// became query and route parameters leave no orphaned schemas behind.
/// </summary>
public sealed class DocumentCleanup : IDocumentProcessor
{
    public void Process(DocumentProcessorContext context)
    {
        var document = context.Document;
        foreach (var operation in document.Paths.Values.SelectMany(path => path.Values))
        {
            if (operation.Security is null || operation.Security.Count == 0)
            {
                // An empty requirement object means "no credentials needed" (NSwag drops an empty list).
                operation.Security = [new OpenApiSecurityRequirement()];
            }
        }

        DescribeNullableReferences(document);
        ResponseShapes.Apply(document);
        RemoveUnreferencedSchemas(document);
    }

    /// <summary>
    /// A nullable property of a record type comes out as <c>nullable</c> beside a one-element
    /// <c>oneOf</c>, and free-form JSON as <c>nullable</c> alone; OpenAPI 3.0 wants a <c>type</c> beside
    /// <c>nullable</c>, and one schema needs no choice.
    /// </summary>
    private static void DescribeNullableReferences(OpenApiDocument document)
    {
        foreach (var property in document.Components.Schemas.Values.SelectMany(schema => schema.Properties.Values))
        {
            if (property.IsNullableRaw != true)
            {
                continue;
            }

            if (property.OneOf.Count == 1)
            {
                var target = property.OneOf.Single();
                property.OneOf.Clear();
                property.AllOf.Add(target);
                property.Type = NJsonSchema.JsonObjectType.Object;
            }
            else if (property.Type == NJsonSchema.JsonObjectType.None && property.AllOf.Count == 0 && !property.HasReference)
            {
                // Free-form JSON (a JsonElement such as an event's data) is an object in this API.
                property.Type = NJsonSchema.JsonObjectType.Object;
            }
        }
    }

    private static void RemoveUnreferencedSchemas(OpenApiDocument document)
    {
        while (true)
        {
            var json = document.ToJson();
            var unused = document.Components.Schemas.Keys
                .Where(name => !json.Contains($"\"#/components/schemas/{name}\"", StringComparison.Ordinal))
                .ToList();
            if (unused.Count == 0)
            {
                return;
            }

            foreach (var name in unused)
            {
                document.Components.Schemas.Remove(name);
            }
        }
    }
}
