using NJsonSchema.Generation;

namespace WedSync.Api.Platform.OpenApi;

/// <summary>
/// Every use case has its own <c>Request</c> and <c>Response</c>; in the document they are named for
/// their feature folder (Features/Members/Update/Request → MembersUpdateRequest) instead of Request2.
/// </summary>
public sealed class FeatureSchemaNames : ISchemaNameGenerator
{
    public string Generate(Type type)
    {
        var parts = type.Namespace?.Split('.') ?? [];
        var features = Array.IndexOf(parts, "Features");
        // Only use-case folders (Features.<Area>[.<Subsystem>].<UseCase>) repeat type names; area-level types are
        // unique. A subsystem folder groups code only: the wire name stays <Area><UseCase>, as the operation id does.
        var prefix = features >= 0 && parts.Length - features > 2 ? parts[features + 1] + parts[^1] : "";
        var name = type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] + string.Concat(type.GetGenericArguments().Select(Generate)) : type.Name;
        return prefix + name;
    }
}
