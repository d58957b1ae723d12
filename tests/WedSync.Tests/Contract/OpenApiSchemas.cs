using System.Text.Json.Nodes;

namespace WedSync.Tests.Contract;

/// <summary>
/// OpenAPI 3.0 schemas as JSON Schema 2020-12, which JsonSchema.Net evaluates. The dialects differ in
/// a few words: <c>nullable: true</c> adds "null" to the schema's own type (OpenAPI 3.0.3), references
/// point into <c>$defs</c>, boolean
/// <c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> become numbers, and the OpenAPI-only words
/// (<c>example</c>, <c>x-*</c>, <c>discriminator</c>...) go.
/// </summary>
public static class OpenApiSchemas
{
    private const string ComponentPrefix = "#/components/schemas/";

    private static readonly HashSet<string> OpenApiOnly =
        ["nullable", "example", "discriminator", "xml", "externalDocs", "readOnly", "writeOnly", "deprecated"];

    /// <summary>Every component schema, converted, keyed by its name (for <c>$defs</c>).</summary>
    public static JsonObject Definitions(JsonObject document)
    {
        var definitions = new JsonObject();
        if (document["components"]?["schemas"] is JsonObject schemas)
        {
            foreach (var (name, schema) in schemas)
            {
                definitions[name] = Convert(schema);
            }
        }

        return definitions;
    }

    /// <summary>A self-contained 2020-12 schema: the converted schema with every definition beside it.</summary>
    public static JsonObject Standalone(JsonNode schema, JsonObject definitions)
    {
        var root = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema" };
        var converted = Convert(schema);
        if (converted is JsonObject body)
        {
            foreach (var (key, value) in body)
            {
                root[key] = value?.DeepClone();
            }
        }

        root["$defs"] = definitions.DeepClone();
        return root;
    }

    public static JsonNode? Convert(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return new JsonArray(array.Select(Convert).ToArray());
            case JsonObject schema:
                var result = new JsonObject();
                foreach (var (key, value) in schema)
                {
                    if (OpenApiOnly.Contains(key) || key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    result[key] = key switch
                    {
                        "$ref" => value!.GetValue<string>().Replace(ComponentPrefix, "#/$defs/", StringComparison.Ordinal),
                        // Maps of schemas: their keys are names, not keywords.
                        "properties" => new JsonObject(((JsonObject)value!).Select(p => KeyValuePair.Create(p.Key, Convert(p.Value)))),
                        "enum" or "default" or "const" or "required" => value?.DeepClone(),
                        _ => Convert(value),
                    };
                }

                ExclusiveBound(schema, result, "exclusiveMinimum", "minimum");
                ExclusiveBound(schema, result, "exclusiveMaximum", "maximum");
                if (schema["nullable"]?.GetValue<bool>() == true && result["type"] is JsonValue type)
                {
                    // As OpenAPI 3.0.3 reads it: null joins the type (and the enum) of this schema only;
                    // schemas it combines (allOf, oneOf, a $ref) still apply to null.
                    result["type"] = new JsonArray(type.GetValue<string>(), "null");
                    if (result["enum"] is JsonArray values && !values.Any(value => value is null))
                    {
                        values.Add(null);
                    }
                }

                return result;
            default:
                return node?.DeepClone();
        }
    }

    private static void ExclusiveBound(JsonObject source, JsonObject result, string exclusive, string inclusive)
    {
        if (source[exclusive] is JsonValue flag && flag.TryGetValue<bool>(out var isExclusive))
        {
            result.Remove(exclusive);
            if (isExclusive && source[inclusive] is { } bound)
            {
                result.Remove(inclusive);
                result[exclusive] = bound.DeepClone();
            }
        }
    }
}
