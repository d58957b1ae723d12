using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Stats;

/// <summary>Totals, rewards and tier of the caller, in one query over the referrer indexes.</summary>
public sealed class Endpoint : TenantEndpoint<EmptyRequest, Response>
{
    private const string Sql = $"""
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

    public override void Configure()
    {
        Get("/referrals/stats");
        Summary(s => s.Summary = "The caller's referral totals, rewards (cents), viral coefficient and tier");
    }

    private Response? read;

    /// <summary>The query rides in the session's opening batch: one round trip less per request.</summary>
    protected override OpeningQuery OpeningQueryFor(EmptyRequest req) =>
        new(new NpgsqlBatchCommand(Sql), async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            read = Read(reader);
        });

    protected override Task HandleInSessionAsync(EmptyRequest req, CancellationToken ct) =>
        // The reader is closed before answering: the answer commits the session on this connection.
        Send.OkAsync(read ?? throw new InvalidOperationException("The stats were not read with the session."), ct);

    /// <summary>The caller's standing, read in an open session; the operator console shows the same numbers.</summary>
    public static async Task<Response> ReadAsync(TenantSession session, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return Read(reader);
    }

    private static Response Read(NpgsqlDataReader reader)
    {
        var converted = reader.GetInt64(1);
        var tier = RewardTier.Read(reader);
        return new Response(
            reader.GetInt64(0),
            converted,
            reader.GetInt64(2),
            reader.GetInt64(3),
            tier.Currency,
            converted,
            tier.Tier,
            tier.NextTier is null ? null : new NextTier(tier.NextTier, (int)Math.Max(0, tier.NextTierMinConverted!.Value - converted)));
    }
}
