using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using NJsonSchema;
using NJsonSchema.Generation;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// Members marked <c>[JsonNumberHandling(WriteAsString)]</c> travel as decimal strings (64-bit ids such as
/// pg_stat_statements' queryid, which JavaScript's doubles and jq round): the document says string,
/// format int64, with the digits' pattern, as the serializer writes them.
/// </summary>
public sealed class Int64AsString : ISchemaProcessor
{
    public const string Pattern = "^-?[0-9]{1,19}$";

    public void Process(SchemaProcessorContext context)
    {
        var type = context.ContextualType.Type;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var handling = property.GetCustomAttribute<JsonNumberHandlingAttribute>()?.Handling
                ?? type.GetConstructors().SelectMany(c => c.GetParameters())
                    .FirstOrDefault(p => p.Name == property.Name)?.GetCustomAttribute<JsonNumberHandlingAttribute>()?.Handling;
            if (handling is null || !handling.Value.HasFlag(JsonNumberHandling.WriteAsString)
                || !context.Schema.Properties.TryGetValue(JsonNamingPolicy.CamelCase.ConvertName(property.Name), out var schema))
            {
                continue;
            }

            // OpenAPI 3.0: null stays the schema's nullable flag, set already for long?.
            schema.Type = JsonObjectType.String;
            schema.Format = "int64";
            schema.Pattern = Pattern;
        }
    }
}
