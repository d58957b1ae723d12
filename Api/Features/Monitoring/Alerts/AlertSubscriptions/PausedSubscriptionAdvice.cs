using Npgsql;

namespace WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;

/// <summary>
/// The summary's recommendation for each paused alert subscription: alerts stop reaching a person
/// silently otherwise. Read in the caller's request session (platform admins, RLS).
/// </summary>
public static class PausedSubscriptionAdvice
{
    private const string Sql = """
        SELECT s.id, s.url, s.paused_at, coalesce(s.pause_reason, '')
        FROM webhook_subscriptions s
        WHERE s.paused_at IS NOT NULL
        ORDER BY s.paused_at
        """;

    public static async Task<IReadOnlyList<string>> ReadAsync(Func<string, NpgsqlCommand> createCommand, CancellationToken ct)
    {
        var advice = new List<string>();
        await using var command = createCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // Only the host: a chat webhook's path is its credential.
            var host = Uri.TryCreate(reader.GetString(1), UriKind.Absolute, out var url) ? url.Host : "?";
            advice.Add($"Webhook subscription {reader.GetGuid(0)} (to {host}) is paused since {reader.GetFieldValue<DateTimeOffset>(2):u}: {reader.GetString(3)}. "
                + "Alerts are held for it and it is probed with the oldest; it resumes by itself when its receiver answers 2xx (fix the receiver, "
                + "then POST /api/monitoring/alert-subscriptions/{id}/resume to send at once).");
        }

        return advice;
    }
}
