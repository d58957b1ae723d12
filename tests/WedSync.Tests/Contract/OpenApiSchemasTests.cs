using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace WedSync.Tests.Contract;

/// <summary>OpenAPI 3.0's <c>nullable</c> read as 3.0.3 says, the way strict validators (Prism) read it.</summary>
public sealed class OpenApiSchemasTests
{
    private static readonly JsonObject Definitions = OpenApiSchemas.Definitions((JsonObject)JsonNode.Parse("""
        {"components":{"schemas":{
          "Tier":{"type":"object","additionalProperties":false,"required":["tier"],"properties":{"tier":{"type":"string"}}},
          "NullableTier":{"type":"object","nullable":true,"required":["tier"],"properties":{"tier":{"type":"string"}}}}}}
        """)!);

    [Theory]
    // nullable widens the schema's own type only: the combined schema still refuses null.
    [InlineData("""{"type":"object","nullable":true,"allOf":[{"$ref":"#/components/schemas/Tier"}]}""", "null", false)]
    [InlineData("""{"type":"object","nullable":true,"allOf":[{"$ref":"#/components/schemas/Tier"}]}""", """{"tier":"gold"}""", true)]
    [InlineData("""{"$ref":"#/components/schemas/NullableTier"}""", "null", true)]
    [InlineData("""{"$ref":"#/components/schemas/NullableTier"}""", """{"tier":5}""", false)]
    [InlineData("""{"type":"string","nullable":true,"enum":["a","b"]}""", "null", true)]
    [InlineData("""{"type":"string","enum":["a","b"]}""", "null", false)]
    [InlineData("""{"type":"string","nullable":true}""", "null", true)]
    [InlineData("""{"type":"integer","minimum":1,"exclusiveMinimum":true}""", "1", false)]
    [InlineData("""{"type":"integer","minimum":1,"exclusiveMinimum":true}""", "2", true)]
    public void Converted_schema_accepts_what_OpenApi_3_0_3_accepts(string schema, string instance, bool valid)
    {
        var standalone = OpenApiSchemas.Standalone(JsonNode.Parse(schema)!, Definitions);
        var result = JsonSchema.Build(JsonSerializer.SerializeToElement(standalone)).Evaluate(JsonDocument.Parse(instance).RootElement);
        Assert.Equal(valid, result.IsValid);
    }
}
