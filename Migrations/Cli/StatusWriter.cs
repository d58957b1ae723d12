using System.Text;
using System.Text.Json;
using WedSync.Migrations.Status;

namespace WedSync.Migrations.Cli;

/// <summary>The request table for people (aligned text) and for machines (JSON).</summary>
public static class StatusWriter
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Json(MigrationStatusReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static string Table(MigrationStatusReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("| Request | State | Scripts |");
        text.AppendLine("|---|---|---|");
        foreach (var request in report.Requests)
        {
            var scripts = string.Join(", ", request.Scripts.Select(s => $"{s.Name} ({Word(s.State)})"));
            text.AppendLine($"| {request.RequestId} | {Word(request.State)} | {scripts} |");
        }

        text.AppendLine();
        text.AppendLine("| Script | State | Applied at (UTC) | Duration ms | Checksum |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var script in report.Scripts)
        {
            var appliedAt = script.AppliedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") ?? "";
            var checksum = (script.Checksum ?? script.AppliedChecksum ?? "")[..Math.Min(12, (script.Checksum ?? script.AppliedChecksum ?? "").Length)];
            text.AppendLine($"| {script.Name} | {Word(script.State)} | {appliedAt} | {script.DurationMs} | {checksum} |");
        }

        return text.ToString();
    }

    private static string Word<T>(T state) where T : struct, Enum =>
        JsonSerializer.Serialize(state, JsonOptions).Trim('"');
}
