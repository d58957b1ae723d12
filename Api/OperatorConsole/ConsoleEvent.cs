using System.Globalization;
using System.Text.Json;
using Npgsql;
using WedSync.Api.Features.Monitoring.Shared;
using WedSync.Api.Platform.Database;

namespace WedSync.Api.OperatorConsole;

/// <summary>One earlier (or the current) severity of an event, from severity_history.</summary>
public sealed record SeverityStep(string Severity, DateTimeOffset? At);

/// <summary>
/// An event as the Events page shows it: the row of GET /api/monitoring/events (its data through
/// monitoring_redact_json, the same SQL), when it was last raised and its severity history (redacted the
/// same way), and the statement it is about: the data's own statement text, or, for the sampler's slow
/// queries, the stored text of its queryId (monitoring_history.query_texts, redacted when captured, as
/// GET /api/monitoring/query-stats/{queryId}/history shows it).
/// </summary>
public sealed record ConsoleEvent(MonitoringEvent Event, DateTimeOffset? RaisedAt, IReadOnlyList<SeverityStep> History, string? Statement)
{
    /// <summary>The columns beside <see cref="MonitoringEvent.Columns"/>, read by name.</summary>
    public const string ExtraColumns = "e.raised_at, monitoring_redact_json(e.severity_history)::text AS severity_history";

    /// <summary>Keys under which clients and alerts record statement text, in the order looked for.</summary>
    private static readonly string[] StatementKeys = ["statement", "query", "sql", "queryText"];

    public static ConsoleEvent Read(NpgsqlDataReader reader)
    {
        var item = MonitoringEvent.Read(reader);
        var raisedAt = reader.GetNullable<DateTimeOffset>("raised_at");
        var history = new List<SeverityStep>();
        if (reader.GetOrNull<string>("severity_history") is { } historyJson)
        {
            using var document = JsonDocument.Parse(historyJson);
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var step in document.RootElement.EnumerateArray())
                {
                    if (step.ValueKind == JsonValueKind.Object && step.TryGetProperty("severity", out var severity) && severity.ValueKind == JsonValueKind.String)
                    {
                        DateTimeOffset? at = step.TryGetProperty("at", out var when) && when.ValueKind == JsonValueKind.String
                            && DateTimeOffset.TryParse(when.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
                        history.Add(new SeverityStep(severity.GetString()!, at));
                    }
                }
            }
        }

        return new ConsoleEvent(item, raisedAt, history, StatementIn(item.EventData));
    }

    /// <summary>The sampler's slow-query events name a statement by queryId (a string of digits).</summary>
    public long? QueryId =>
        Event.EventData.ValueKind == JsonValueKind.Object && Event.EventData.TryGetProperty("queryId", out var id)
        && long.TryParse(id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value : null;

    public static bool IsStatementKey(string key) => StatementKeys.Contains(key, StringComparer.Ordinal);

    private static string? StatementIn(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var key in StatementKeys)
        {
            if (data.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
            {
                return value.GetString();
            }
        }

        return null;
    }
}
