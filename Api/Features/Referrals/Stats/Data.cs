using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Stats;

/// <summary>The caller's standing: its SQL and its mapping by column name, for GET /api/referrals/stats and the console's Referrals page.</summary>
public static class Data
{
    /// <summary>Totals, rewards and tier of the caller, in one query over the referrer indexes.</summary>
    public const string Sql = $"""
        WITH counts AS (
            SELECT count(*) AS total, count(*) FILTER (WHERE status = 'converted') AS converted
            FROM referrals
            WHERE organization_id = (SELECT app.current_organization_id()) AND referrer_user_id = (SELECT app.current_user_id())
        ), rewards AS (
            SELECT coalesce(sum(amount_cents) FILTER (WHERE status = 'pending'), 0) AS pending,
                   coalesce(sum(amount_cents) FILTER (WHERE status = 'granted'), 0) AS earned
            FROM referral_rewards
            WHERE organization_id = (SELECT app.current_organization_id()) AND beneficiary_user_id = (SELECT app.current_user_id())
        )
        SELECT counts.total, counts.converted, rewards.pending, rewards.earned, t.*
        FROM counts, rewards, LATERAL (SELECT {RewardTier.Columns} FROM referral_tier_for(counts.converted::integer)) t
        """;

    /// <summary>The caller's standing, read in an open session.</summary>
    public static async Task<Response> ReadAsync(TenantSession session, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return Read(reader);
    }

    /// <summary>The current row of <see cref="Sql"/>, by column name (the endpoint reads it from the session's opening batch).</summary>
    public static Response Read(NpgsqlDataReader reader)
    {
        var converted = reader.Get<long>("converted");
        var tier = RewardTier.Read(reader);
        return new Response(
            reader.Get<long>("total"),
            converted,
            reader.Get<long>("pending"),
            reader.Get<long>("earned"),
            tier.Currency,
            converted,
            tier.Tier,
            tier.NextTier is null ? null : new NextTier(tier.NextTier, (int)Math.Max(0, tier.NextTierMinConverted!.Value - converted)));
    }
}
