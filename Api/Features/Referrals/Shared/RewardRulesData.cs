using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Shared;

/// <summary>
/// An organization's reward rules. holdDays: days before a reward can be approved; autoApproveBelowCents:
/// rewards of this amount or more wait for a person (null: none do); reviewFlagged: rewards of flagged
/// referrals wait for a person; clawbackWindowDays: a refund this long after a reward revokes or claws it
/// back; spendCapCents per spendCapPeriod (day, week, month; UTC): approvals beyond it wait (null: no cap);
/// holdKind: what else ends the hold after holdDays: days (nothing), first_wedding_delivered (the referred vendor
/// delivered a wedding) or health_score (their latest WS-168 health score is at least healthScoreThreshold).
/// </summary>
public sealed record RewardRules(int HoldDays, int? AutoApproveBelowCents, bool ReviewFlagged, int ClawbackWindowDays,
    long? SpendCapCents, string SpendCapPeriod, long SpentThisPeriodCents, DateTimeOffset? UpdatedAt,
    string HoldKind, int? HealthScoreThreshold);

/// <summary>Reads the caller's organization's rules; the defaults (the behaviour before rules existed) when none are set.</summary>
public static class RewardRulesData
{
    private const string Sql = """
        SELECT coalesce(x.hold_days, 0) AS hold_days, x.auto_approve_below_cents, coalesce(x.review_flagged, true) AS review_flagged,
               coalesce(x.clawback_window_days, 30) AS clawback_window_days, x.spend_cap_cents,
               coalesce(x.spend_cap_period, 'month') AS spend_cap_period, x.updated_at,
               coalesce(x.hold_kind, 'days') AS hold_kind, x.health_score_threshold::integer AS health_score_threshold,
               coalesce((SELECT c.spent_cents FROM referral_spend_counters c
                         WHERE c.organization_id = o.id
                           AND c.period_start = date_trunc(coalesce(x.spend_cap_period, 'month'), now() AT TIME ZONE 'UTC')::date), 0) AS spent
        FROM (SELECT (SELECT app.current_organization_id()) AS id) o
        LEFT JOIN referral_reward_rules x ON x.organization_id = o.id
        """;

    public static async Task<RewardRules> ReadAsync(TenantSession session, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        int Ordinal(string name) => reader.GetOrdinal(name);
        return new RewardRules(reader.GetInt32(Ordinal("hold_days")),
            reader.IsDBNull(Ordinal("auto_approve_below_cents")) ? null : reader.GetInt32(Ordinal("auto_approve_below_cents")),
            reader.GetBoolean(Ordinal("review_flagged")), reader.GetInt32(Ordinal("clawback_window_days")),
            reader.IsDBNull(Ordinal("spend_cap_cents")) ? null : reader.GetInt64(Ordinal("spend_cap_cents")),
            reader.GetString(Ordinal("spend_cap_period")), reader.GetInt64(Ordinal("spent")),
            reader.IsDBNull(Ordinal("updated_at")) ? null : reader.GetFieldValue<DateTimeOffset>(Ordinal("updated_at")),
            reader.GetString(Ordinal("hold_kind")),
            reader.IsDBNull(Ordinal("health_score_threshold")) ? null : reader.GetInt32(Ordinal("health_score_threshold")));
    }
}
