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

/// <summary>
/// One script: its state, when it was applied (UTC), its checksum now and as applied (SHA-256, hex), how long
/// it ran (ms), who applied it, whether by the latest run, and the lint rules <c>up --allow</c> overrode for it.
/// </summary>
public sealed record ScriptStatus(
    string Name,
    ScriptState State,
    DateTimeOffset? AppliedAt,
    string? Checksum,
    string? AppliedChecksum,
    int? DurationMs,
    string? AppliedBy,
    AppliedWhen Applied = AppliedWhen.NotApplied,
    IReadOnlyList<string>? AllowedLintRules = null)
{
    public IReadOnlyList<string> AllowedLintRules { get; init; } = AllowedLintRules ?? [];
}

/// <summary>
/// One request as the report's table shows it: id, title and request date from the manifest (null for an
/// entry without them), its state, when it was applied (any script of it by the latest run: "this run"),
/// and whether every script file it names is in the catalog.
/// </summary>
public sealed record RequestStatus(
    string RequestId,
    string? Title,
    DateOnly? Requested,
    RequestState State,
    AppliedWhen Applied,
    bool FilesExist,
    IReadOnlyList<ScriptStatus> Scripts);

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

    /// <summary>Pending scripts with an applied script's text, which up refuses (exit 3); status prints them under its table.</summary>
    [JsonIgnore]
    public IReadOnlyList<ScriptRename> Renames { get; init; } = [];
}
