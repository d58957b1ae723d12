using Npgsql;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Reviews;

/// <summary>The organization's review queue: the SQL and its mapping by column name, for GET /api/referrals/reviews and the console's Referrals page.</summary>
public static class Data
{
    private const string Sql = """
        SELECT w.id, w.referral_id, f.referred_email, f.referrer_user_id, w.side, w.trigger, w.reward_type, w.amount_cents, w.currency,
               w.beneficiary_user_id, w.wait_reason, w.hold_until, w.created_at, f.fraud_score, f.fraud_reasons, f.flagged_for_review,
               count(*) OVER () AS total
        FROM referral_rewards w
        JOIN referrals f ON f.id = w.referral_id
        WHERE w.organization_id = (SELECT app.current_organization_id()) AND w.state = 'pending'
          AND (w.wait_reason = @reason OR (@reason::text IS NULL AND w.wait_reason IN ('review_flagged', 'review_amount')))
        ORDER BY w.created_at, w.id
        LIMIT @limit OFFSET @offset
        """;

    /// <summary>One page of the queue (one wait reason, or both review reasons when null), in the caller's open session.</summary>
    public static async Task<(IReadOnlyList<ReviewItem> Items, long Total)> ReadAsync(TenantSession session, string? waitReason, int limit, long offset, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter("reason", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)waitReason ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("offset", offset);
        var items = new List<ReviewItem>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new ReviewItem(
                reader.Get<Guid>("id"), reader.Get<Guid>("referral_id"), reader.Get<string>("referred_email"), reader.GetNullable<Guid>("referrer_user_id"),
                reader.Get<string>("side"), reader.Get<string>("trigger"), reader.Get<string>("reward_type"), reader.Get<int>("amount_cents"),
                reader.Get<string>("currency").Trim(), reader.GetNullable<Guid>("beneficiary_user_id"), reader.Get<string>("wait_reason"),
                reader.GetNullable<DateTimeOffset>("hold_until"), reader.Get<DateTimeOffset>("created_at"), reader.Get<decimal>("fraud_score"),
                reader.Get<string[]>("fraud_reasons"), reader.Get<bool>("flagged_for_review")));
            total = reader.Get<long>("total");
        }

        return (items, total);
    }
}
