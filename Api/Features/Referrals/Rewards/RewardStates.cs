using System.Globalization;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Rewards;

/// <summary>A reward of one of the caller's referrals, its ledger state and why it waits (wait_reason of 20250902800000).</summary>
public sealed record RewardState(Guid Id, Guid ReferralId, string ReferredEmail, string Side, string RewardType, int AmountCents, string Currency,
    string State, string? WaitReason, DateTimeOffset? HoldUntil, int FulfilmentRequests, IReadOnlyList<string> FraudReasons, DateTimeOffset CreatedAt,
    int? HoldHealthThreshold)
{
    /// <summary>The reason in words, as the console shows it beside the state.</summary>
    public string Why => (State, WaitReason) switch
    {
        ("pending", "holding") => HoldUntil is { } until
            ? $"held until {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"
            : "held until the referred vendor's hold is over",
        ("pending", "review_flagged") => FraudReasons.Count > 0
            ? $"waits for review: fraud rules flagged it ({string.Join(", ", FraudReasons)})"
            : "waits for review: the referral was flagged",
        ("pending", "review_amount") => "waits for review: the amount is at or above the automatic approval limit",
        ("pending", "waiting_first_wedding") => "waiting for the referred vendor's first delivered wedding",
        ("pending", "waiting_health_score") => HoldHealthThreshold is { } threshold
            ? $"waiting for the referred vendor's health score to reach {threshold}"
            : "waiting for the referred vendor's health score",
        ("pending", "spend_cap_reached") => "spend cap reached for this period: approved when the next period leaves room",
        ("approved", _) => FulfilmentRequests > 1
            ? $"awaiting fulfilment: sent to billing {FulfilmentRequests} times, not acknowledged yet"
            : "awaiting fulfilment: sent to billing, not acknowledged yet",
        ("fulfilled", _) => "delivered",
        ("revoked", _) => "revoked: refunded or rejected before it was delivered",
        ("clawed_back", _) => "clawed back after delivery: a negative balance",
        _ => "pending",
    };
}

/// <summary>The rewards of the caller's referrals (both sides), newest first, for the console's Referrals page.</summary>
public static class RewardStates
{
    private const string Sql = """
        SELECT w.id, w.referral_id, f.referred_email, w.side, w.reward_type, w.amount_cents, w.currency, w.state, w.wait_reason,
               w.hold_until, w.fulfilment_requests, f.fraud_reasons, w.created_at, w.hold_health_threshold::integer AS hold_health_threshold
        FROM referral_rewards w
        JOIN referrals f ON f.id = w.referral_id
        WHERE w.organization_id = (SELECT app.current_organization_id()) AND f.referrer_user_id = (SELECT app.current_user_id())
        ORDER BY w.created_at DESC, w.id
        LIMIT @limit
        """;

    public static async Task<IReadOnlyList<RewardState>> ReadAsync(TenantSession session, int limit, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        command.Parameters.AddWithValue("limit", limit);
        var items = new List<RewardState>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new RewardState(reader.Get<Guid>("id"), reader.Get<Guid>("referral_id"), reader.Get<string>("referred_email"),
                reader.Get<string>("side"), reader.Get<string>("reward_type"), reader.Get<int>("amount_cents"), reader.Get<string>("currency").Trim(),
                reader.Get<string>("state"), reader.GetOrNull<string>("wait_reason"), reader.GetNullable<DateTimeOffset>("hold_until"),
                reader.Get<int>("fulfilment_requests"), reader.Get<string[]>("fraud_reasons"), reader.Get<DateTimeOffset>("created_at"),
                reader.GetNullable<int>("hold_health_threshold")));
        }

        return items;
    }
}
