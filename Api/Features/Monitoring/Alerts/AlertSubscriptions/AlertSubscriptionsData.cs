using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Alerts.AlertSubscriptions;

/// <summary>Monitoring alert subscriptions as the API shows them, read in an open session: list, create, resume and deliveries.</summary>
public static class AlertSubscriptionsData
{
    private const string ListSql = $"SELECT {AlertSubscription.Columns} FROM {AlertSubscription.From} ORDER BY s.created_at, s.id";

    private const string OneSql = $"SELECT {AlertSubscription.Columns} FROM {AlertSubscription.From} AND s.id = @id";

    public static async Task<IReadOnlyList<AlertSubscription>> ListAsync(TenantSession session, CancellationToken ct)
    {
        var items = new List<AlertSubscription>();
        await using var command = session.CreateCommand(ListSql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(AlertSubscription.Read(reader));
        }

        return items;
    }

    /// <summary>The subscription, or null when there is none with this id (or RLS hides it).</summary>
    public static async Task<AlertSubscription?> FindAsync(TenantSession session, Guid id, CancellationToken ct)
    {
        await using var command = session.CreateCommand(OneSql);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? AlertSubscription.Read(reader) : null;
    }
}
