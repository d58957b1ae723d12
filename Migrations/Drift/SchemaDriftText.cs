using System.Text;

namespace WedSync.Migrations.Drift;

/// <summary><c>verify</c>'s drift section for people (one line per object) and for machines (JSON).</summary>
public static class SchemaDriftText
{
    private const int ShownDefinition = 160;

    public static string Text(SchemaDriftReport report)
    {
        var text = new StringBuilder();
        if (report.RecordedAt is not { } recordedAt)
        {
            text.AppendLine("Schema drift: no fingerprint recorded yet (run `up`: every successful run records one).");
            return text.ToString();
        }

        if (!report.Drifted)
        {
            text.AppendLine($"Schema drift: none (the live schema is the fingerprint recorded {recordedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC).");
            return text.ToString();
        }

        text.AppendLine($"Schema drift: {report.Objects.Count} object(s) added, changed or dropped outside migrations since {recordedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC:");
        foreach (var drifted in report.Objects)
        {
            text.AppendLine($"  {Word(drifted.Change)} {Word(drifted.Kind)} {drifted.Name}");
            if (drifted.Recorded is { } recorded)
            {
                text.AppendLine($"      was: {Short(recorded)}");
            }

            if (drifted.Live is { } live)
            {
                text.AppendLine($"      now: {Short(live)}");
            }
        }

        return text.ToString();
    }

    /// <summary>An enum member as the JSON output spells it.</summary>
    public static string Word<T>(T value) where T : struct, Enum => MigratorJsonContext.Word(value);

    private static string Short(string definition)
    {
        var line = string.Join(' ', definition.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= ShownDefinition ? line : line[..ShownDefinition] + "…";
    }
}
