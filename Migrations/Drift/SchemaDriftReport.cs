using System.Text.Json.Serialization;

namespace WedSync.Migrations.Drift;

/// <summary>What happened to an object outside migrations since the last recorded fingerprint.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SchemaChange>))]
public enum SchemaChange
{
    [JsonStringEnumMemberName("added")] Added,
    [JsonStringEnumMemberName("changed")] Changed,
    [JsonStringEnumMemberName("dropped")] Dropped,
}

/// <summary>The kinds of object the fingerprint lists (<see cref="SchemaFingerprint"/>), as it names them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SchemaObjectKind>))]
public enum SchemaObjectKind
{
    [JsonStringEnumMemberName("schema")] Schema,
    [JsonStringEnumMemberName("extension")] Extension,
    [JsonStringEnumMemberName("table")] Table,
    [JsonStringEnumMemberName("column")] Column,
    [JsonStringEnumMemberName("index")] Index,
    [JsonStringEnumMemberName("constraint")] Constraint,
    [JsonStringEnumMemberName("policy")] Policy,
    [JsonStringEnumMemberName("function")] Function,
    [JsonStringEnumMemberName("trigger")] Trigger,
    [JsonStringEnumMemberName("view")] View,
    [JsonStringEnumMemberName("materialized view")] MaterializedView,
    [JsonStringEnumMemberName("sequence")] Sequence,
    [JsonStringEnumMemberName("type")] Type,
    [JsonStringEnumMemberName("grant")] Grant,
    [JsonStringEnumMemberName("default privileges")] DefaultPrivileges,
}

/// <summary>
/// One drifted object: its kind and qualified name (a grant is named "table public.referrals to
/// wedsync_user"), what happened to it, and its definition as recorded and as live (null where it
/// does not exist).
/// </summary>
public sealed record DriftedObject(SchemaObjectKind Kind, string Name, SchemaChange Change, string? Recorded, string? Live);

/// <summary>
/// The live schema compared with the fingerprint the last successful <c>up</c> recorded.
/// <see cref="RecordedAt"/> is null when no fingerprint was ever recorded (a database not yet migrated
/// by this migrator version): nothing can be compared, and <see cref="Objects"/> is empty.
/// </summary>
public sealed record SchemaDriftReport(DateTimeOffset? RecordedAt, IReadOnlyList<DriftedObject> Objects)
{
    /// <summary>True when a fingerprint exists and some object was added, changed or dropped outside migrations.</summary>
    public bool Drifted => Objects.Count > 0;
}
