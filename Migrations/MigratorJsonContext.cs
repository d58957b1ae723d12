using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using WedSync.Migrations.Drift;
using WedSync.Migrations.Status;

namespace WedSync.Migrations;

/// <summary>
/// The migrator's JSON (<c>status --json</c>, <c>verify --json</c>, the words of the text outputs), generated at
/// build time by System.Text.Json's source generator instead of by reflection: the published migrator is
/// compiled ahead of time (Native AOT), where reflection-based serialization is not available. Web defaults
/// (camelCase property names), indented.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(MigrationStatusReport))]
[JsonSerializable(typeof(ScriptState))]
[JsonSerializable(typeof(RequestState))]
[JsonSerializable(typeof(AppliedWhen))]
[JsonSerializable(typeof(SchemaChange))]
[JsonSerializable(typeof(SchemaObjectKind))]
public sealed partial class MigratorJsonContext : JsonSerializerContext
{
    /// <summary>An enum member as the JSON output spells it (its <see cref="JsonStringEnumMemberNameAttribute"/>).</summary>
    public static string Word<T>(T value) where T : struct, Enum =>
        JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Default.GetTypeInfo(typeof(T))!).Trim('"');
}
