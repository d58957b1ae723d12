using System.Text.Json.Serialization;

namespace WedSync.Migrations.Status;

[JsonConverter(typeof(JsonStringEnumConverter<ScriptState>))]
public enum ScriptState
{
    [JsonStringEnumMemberName("applied")] Applied,
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("modified")] Modified,
    /// <summary>Applied, but no longer in the catalog.</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
    /// <summary>Named by the manifest, but neither embedded nor applied.</summary>
    [JsonStringEnumMemberName("missing file")] MissingFile,
}

[JsonConverter(typeof(JsonStringEnumConverter<RequestState>))]
public enum RequestState
{
    [JsonStringEnumMemberName("complete")] Complete,
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("modified")] Modified,
    [JsonStringEnumMemberName("missing file")] MissingFile,
}

public sealed record ScriptStatus(
    string Name,
    ScriptState State,
    DateTimeOffset? AppliedAt,
    string? Checksum,
    string? AppliedChecksum,
    int? DurationMs,
    string? AppliedBy);

public sealed record RequestStatus(string RequestId, RequestState State, IReadOnlyList<ScriptStatus> Scripts);

/// <summary>The report's request table, computed from the catalog, the manifest and the journal.</summary>
public sealed record MigrationStatusReport(
    IReadOnlyList<RequestStatus> Requests,
    IReadOnlyList<ScriptStatus> Scripts)
{
    /// <summary>Nothing pending, modified or missing (scripts applied and since removed are tolerated).</summary>
    public bool IsClean => Scripts.All(s => s.State is ScriptState.Applied or ScriptState.Unknown)
        && Requests.All(r => r.State == RequestState.Complete);

    public IEnumerable<ScriptStatus> Modified => Scripts.Where(s => s.State == ScriptState.Modified);

    /// <summary>
    /// The live schema against the fingerprint of the last successful <c>up</c> (set by <c>verify</c> and
    /// GET /api/migrations; <c>status</c> leaves it out).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WedSync.Migrations.Drift.SchemaDriftReport? SchemaDrift { get; init; }
}
