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
    /// <c>oneOf</c>, and free-form JSON as <c>nullable</c> alone. In OpenAPI 3.0 <c>nullable</c> only
    /// widens the <c>type</c> beside it and never the schemas it combines (3.0.3), so such a property
    /// refused <c>null</c> to a validator (Stoplight Prism: "fraudReview must be object"). A record type
    /// that is only ever referred to as nullable is therefore itself <c>nullable</c>, referred to plainly;
    /// one that is also referred to as non-null keeps <c>allOf</c> beside <c>nullable</c>, the nearest
    /// 3.0 has. Free-form JSON gets its type, an object in this API.
    /// </summary>
    private static void DescribeNullableReferences(OpenApiDocument document)
    {
        var wrappers = document.Components.Schemas.Values
            .SelectMany(schema => schema.Properties.Values)
            .Where(property => property.IsNullableRaw == true && property.OneOf.Count + property.AllOf.Count == 1)
            .ToList();
        var json = document.ToJson();
        foreach (var group in wrappers.GroupBy(property => property.OneOf.Concat(property.AllOf).Single().ActualSchema))
        {
            var target = group.Key;
            var name = document.Components.Schemas.FirstOrDefault(entry => ReferenceEquals(entry.Value, target)).Key;
            var references = name is null ? 0 : json.Split($"\"#/components/schemas/{name}\"").Length - 1;
            var onlyNullable = name is not null && references == group.Count();
            if (onlyNullable)
            {
                target.IsNullableRaw = true;
            }

            foreach (var property in group)
            {
                var reference = property.OneOf.Concat(property.AllOf).Single();
                property.OneOf.Clear();
                property.AllOf.Clear();
                if (onlyNullable)
                {
                    property.IsNullableRaw = null;
                    property.Type = NJsonSchema.JsonObjectType.None;
                    property.Reference = target;
                }
                else
                {
                    property.AllOf.Add(reference);
                    property.Type = NJsonSchema.JsonObjectType.Object;
                }
            }
        }

        foreach (var property in document.Components.Schemas.Values.SelectMany(schema => schema.Properties.Values))
        {
            if (property.IsNullableRaw == true && property.Type == NJsonSchema.JsonObjectType.None && property.AllOf.Count == 0 && !property.HasReference)
            {
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
