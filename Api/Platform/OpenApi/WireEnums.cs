using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Generation;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// Enum values as the API writes them. The schema generator reads enums with Newtonsoft's rules and
/// listed C# member names (<c>MissingFile</c>) where System.Text.Json, which writes the responses,
/// honours <c>[JsonStringEnumMemberName("missing file")]</c> and the converters. Each value is
/// therefore serialized here with System.Text.Json and the document lists exactly those strings.
/// </summary>
public sealed class WireEnums : ISchemaProcessor
{
    public void Process(SchemaProcessorContext context)
    {
        var type = Nullable.GetUnderlyingType(context.ContextualType.Type) ?? context.ContextualType.Type;
        if (!type.IsEnum)
        {
            return;
        }

        var schema = context.Schema;
        var values = Enum.GetValues(type).Cast<object>()
            .Select(value => JsonSerializer.SerializeToElement(value, type, JsonSerializerOptions.Web))
            .ToList();
        schema.Enumeration.Clear();
        schema.EnumerationNames.Clear();
        var strings = values.All(value => value.ValueKind == JsonValueKind.String);
        schema.Type = strings ? JsonObjectType.String : JsonObjectType.Integer;
        schema.Format = null;
        foreach (var value in values)
        {
            schema.Enumeration.Add(strings ? value.GetString() : value.GetInt64());
        }
    }
}
