using System.Globalization;
using System.Text;
using System.Text.Json;
using WedSync.Migrations.Status;

namespace WedSync.Migrations.Cli;

/// <summary>The request table for people (aligned text) and for machines (JSON).</summary>
public static class StatusWriter
{
    public static string Json(MigrationStatusReport report) => JsonSerializer.Serialize(report, MigratorJsonContext.Default.MigrationStatusReport);

    public static string Table(MigrationStatusReport report)
    {
        var text = new StringBuilder();
        // The session report's own table: request, request date, state, applied today or before, file status.
        text.AppendLine("| Request | Title | Request date | State | Applied | Files | Scripts |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var request in report.Requests)
        {
            var scripts = string.Join(", ", request.Scripts.Select(s => $"{s.Name} ({Word(s.State)})"));
            var requested = request.Requested?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
            var files = request.FilesExist ? "exist" : "missing";
            text.AppendLine($"| {request.RequestId} | {request.Title} | {requested} | {Word(request.State)} | {Word(request.Applied)} | {files} | {scripts} |");
        }

        text.AppendLine();
        text.AppendLine("| Script | State | Applied | Applied at (UTC) | Duration ms | Checksum | Allowed lint rules |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var script in report.Scripts)
        {
            var appliedAt = script.AppliedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
            var checksum = (script.Checksum ?? script.AppliedChecksum ?? "")[..Math.Min(12, (script.Checksum ?? script.AppliedChecksum ?? "").Length)];
            text.AppendLine($"| {script.Name} | {Word(script.State)} | {Word(script.Applied)} | {appliedAt} | {script.DurationMs} | {checksum} | {string.Join(", ", script.AllowedLintRules)} |");
        }

        foreach (var rename in report.Renames)
        {
            // The pending row above says only "pending": up refuses it (exit 3), so say why and what to do.
            text.AppendLine().Append("up refuses (exit 3): ").AppendLine(rename.ToString());
        }

        return text.ToString();
    }

    private static string Word<T>(T state) where T : struct, Enum => MigratorJsonContext.Word(state);
}
