using System.Reflection;
using System.Text.Json.Serialization;
using WedSync.Api.Features.Migrations;
using WedSync.Migrations.Plan;
using WedSync.Migrations.Status;

namespace WedSync.Api.OperatorConsole;

/// <summary>
/// What the Migrations page shows: the report GET /api/migrations answers (request table and schema drift)
/// and the migrator's plan for the pending scripts, both read in-process by <see cref="MigrationCatalogStatus"/>.
/// </summary>
public sealed record ConsoleMigrationReport(MigrationStatusReport Report, IReadOnlyList<PlannedRequest> Plan);

/// <summary>
/// The Migrations pages' read and words. The page computes nothing of its own: the report is the API's
/// (<see cref="MigrationCatalogStatus.ReportAsync"/>), the plan the migrator's <c>plan</c>
/// (<see cref="MigrationCatalogStatus.PlanAsync"/>), and the state words are the JSON names the API writes.
/// Both are platform data read with the API's own login: the pages' gate checks platform_admin first.
/// </summary>
public static class ConsoleMigrations
{
    public static async Task<ConsoleMigrationReport> ReadAsync(MigrationCatalogStatus status, CancellationToken ct)
    {
        var report = await status.ReportAsync(ct);
        var plan = report.Scripts.Any(s => s.State == ScriptState.Pending) ? await status.PlanAsync(ct) : [];
        return new ConsoleMigrationReport(report, plan);
    }

    /// <summary>Whether some script of the request ran, so that its impact (before against after) can be read.</summary>
    public static bool HasImpact(RequestStatus request) => request.Scripts.Any(s => s.AppliedAt is not null);

    /// <summary>When the request's last script ran, if any did.</summary>
    public static DateTimeOffset? LastAppliedAt(RequestStatus request) =>
        request.Scripts.Select(s => s.AppliedAt).Where(a => a is not null).Max();

    /// <summary>An enum member as the API's JSON names it (its JsonStringEnumMemberName: "missing file", "this run").</summary>
    public static string Word<T>(T value)
        where T : struct, Enum => Words<T>.Of[value];

    /// <summary>A state word as a CSS class name ("missing file": missing-file).</summary>
    public static string Css(string state) => state.Replace(" ", "-", StringComparison.Ordinal);

    private static class Words<T>
        where T : struct, Enum
    {
        public static readonly IReadOnlyDictionary<T, string> Of = Enum.GetValues<T>().ToDictionary(
            v => v,
            v => typeof(T).GetField(v.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? v.ToString());
    }
}
