using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WedSync.AppHost;

/// <summary>
/// Whether the database is the catalog, read from one <c>verify --json</c> run: Unhealthy for every way they
/// disagree (schema drift in any fingerprinted kind, an applied script modified, renamed, or no longer in the
/// catalog, a manifest entry without its file, no fingerprint, no database), Healthy with pending scripts named.
/// </summary>
public sealed record SchemaVerdict(HealthStatus Status, string Reason, IReadOnlyList<string> Pending, IReadOnlyList<string> Problems)
{
    public static readonly SchemaVerdict NotYetRead = new(HealthStatus.Unhealthy, "not verified yet", [], []);

    public static SchemaVerdict From(MigratorRun run)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(run.Output);
        }
        catch (JsonException)
        {
            // No report at all: the migrator could not read the database (exit 7) or did not start.
            var error = run.Errors.Trim().Split('\n').LastOrDefault(l => l.Length > 0)?.Trim() ?? $"exit code {run.ExitCode}";
            return new(HealthStatus.Unhealthy, $"verify could not run (exit {run.ExitCode}): {error}", [], [error]);
        }

        using (document)
        {
            return From(document.RootElement);
        }
    }

    private static SchemaVerdict From(JsonElement report)
    {
        var scripts = report.GetProperty("scripts").EnumerateArray()
            .Select(s => (Name: s.GetProperty("name").GetString()!, State: s.GetProperty("state").GetString()!,
                Checksum: Text(s, "checksum"), Applied: Text(s, "appliedChecksum")))
            .ToList();
        var problems = new List<string>();

        // A rename is an unknown (applied, gone) script and a pending one with the same text: name it as one.
        var renamed = scripts.Where(s => s.State == "unknown")
            .Select(gone => (Gone: gone, New: scripts.FirstOrDefault(p => p.State == "pending" && p.Checksum is not null && p.Checksum == gone.Applied)))
            .Where(pair => pair.New.Name is not null)
            .ToList();
        problems.AddRange(renamed.Select(pair => $"applied script renamed: {pair.Gone.Name} → {pair.New.Name}"));
        var renamedNames = renamed.SelectMany(pair => new[] { pair.Gone.Name, pair.New.Name }).ToHashSet(StringComparer.Ordinal);

        problems.AddRange(scripts.Where(s => s.State == "modified").Select(s => $"applied script modified: {s.Name}"));
        problems.AddRange(scripts.Where(s => s.State == "unknown" && !renamedNames.Contains(s.Name)).Select(s => $"applied script not in the catalog: {s.Name}"));
        problems.AddRange(scripts.Where(s => s.State == "missing file").Select(s => $"script named by the manifest has no file: {s.Name}"));

        if (report.TryGetProperty("schemaDrift", out var drift) && drift.ValueKind == JsonValueKind.Object)
        {
            if (drift.GetProperty("recordedAt").ValueKind == JsonValueKind.Null)
            {
                problems.Add("no schema fingerprint recorded (run up)");
            }

            problems.AddRange(drift.GetProperty("objects").EnumerateArray().Select(o =>
                $"schema drift: {o.GetProperty("kind").GetString()} {o.GetProperty("name").GetString()} {o.GetProperty("change").GetString()}"));
        }

        var pending = scripts.Where(s => s.State == "pending" && !renamedNames.Contains(s.Name)).Select(s => s.Name).ToList();
        if (problems.Count > 0)
        {
            return new(HealthStatus.Unhealthy, Summary(problems), pending, problems);
        }

        return pending.Count > 0
            ? new(HealthStatus.Healthy, $"{pending.Count} pending script(s): {string.Join(", ", pending)}", pending, problems)
            : new(HealthStatus.Healthy, "the database is the catalog", pending, problems);
    }

    // One line for the dashboard's health report: every problem up to a bound, then how many more.
    private static string Summary(List<string> problems) =>
        string.Join("; ", problems.Take(MaxNamed)) + (problems.Count > MaxNamed ? $"; and {problems.Count - MaxNamed} more" : "");

    private const int MaxNamed = 40;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
