using System.Text.Json;

namespace WedSync.Tests.Monitoring.Shapes;

/// <summary>One finding of GET /api/monitoring/advisor.</summary>
public sealed record AdvisorFinding(string Level, string Check, string Object, string Why);

public static class AdvisorFindings
{
    /// <summary>The advisor's findings computed for this request, those whose object mentions <paramref name="marker"/>.</summary>
    public static async Task<List<AdvisorFinding>> FindingsAboutAsync(this HttpClient api, string marker)
    {
        var advisor = await api.GetFreshOkAsync("/api/monitoring/advisor");
        return advisor.GetProperty("findings").EnumerateArray()
            .Select(f => new AdvisorFinding(f.GetProperty("level").GetString()!, f.GetProperty("check").GetString()!,
                f.GetProperty("object").GetString()!, f.GetProperty("why").GetString()!))
            .Where(f => f.Object.Contains(marker, StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The item of GET /api/monitoring/rls for a relation, or null when it is not listed.</summary>
    public static JsonElement? RlsItem(JsonElement rls, string schema, string relation) =>
        rls.GetProperty("items").EnumerateArray()
            .Where(t => t.GetProperty("schemaName").GetString() == schema && t.GetProperty("tableName").GetString() == relation)
            .Select(t => (JsonElement?)t)
            .SingleOrDefault();
}
