using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>A receiver of the organization's referral and reward events (no secret: it is shown once, at creation).</summary>
public sealed record ReferralWebhook(Guid Id, string Url, IReadOnlyList<string>? EventTypes, DateTimeOffset CreatedAt, DateTimeOffset? PausedAt,
    int ConsecutiveFailures);

/// <summary>The referral webhook topics and the organization's subscriptions (through the definer functions: the rows are platform data).</summary>
public static class ReferralWebhooks
{
    public static readonly string[] EventTypes =
    [
        "referral.created", "referral.clicked", "referral.converted", "referral.flagged", "reward.pending", "reward.approved", "reward.fulfilled", "reward.revoked",
        "reward.clawed_back",
    ];

    private const string ListSql = "SELECT id, url, event_types, created_at, paused_at, consecutive_failures FROM referral_webhook_subscriptions_list()";

    public static async Task<IReadOnlyList<ReferralWebhook>> ListAsync(TenantSession session, CancellationToken ct)
    {
        await using var command = session.CreateCommand(ListSql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<ReferralWebhook>();
        while (await reader.ReadAsync(ct))
        {
            int Ordinal(string name) => reader.GetOrdinal(name);
            items.Add(new ReferralWebhook(reader.GetGuid(Ordinal("id")), reader.GetString(Ordinal("url")),
                reader.IsDBNull(Ordinal("event_types")) ? null : reader.GetFieldValue<string[]>(Ordinal("event_types")),
                reader.GetFieldValue<DateTimeOffset>(Ordinal("created_at")),
                reader.IsDBNull(Ordinal("paused_at")) ? null : reader.GetFieldValue<DateTimeOffset>(Ordinal("paused_at")),
                reader.GetInt32(Ordinal("consecutive_failures"))));
        }

        return items;
    }
}
