using System.Text.Json.Serialization;

namespace WedSync.Migrations.Status;

/// <summary>
/// The report's "applied today" column: whether a script (or any script of a request) was applied by the
/// latest migrator run that applied scripts ("this run", from the journal's run id), by an earlier run
/// (or before run ids were journaled, or by DbUp), or not at all.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<AppliedWhen>))]
public enum AppliedWhen
{
    [JsonStringEnumMemberName("this run")] ThisRun,
    [JsonStringEnumMemberName("before")] Before,
    [JsonStringEnumMemberName("not applied")] NotApplied,
}
