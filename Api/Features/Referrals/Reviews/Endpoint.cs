using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Reviews;

/// <summary>The organization's review queue: pending rewards that wait for a person, oldest first, with the fraud reasons.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
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

    public override void Configure()
    {
        Get("/referrals/reviews");
        Summary(s =>
        {
            s.Summary = "The organization's reward review queue (org admins)";
            s.Description = "Pending rewards waiting for a person (flagged referral, or an amount at or above the automatic approval limit), oldest first, "
                + "with the referral's fraud score and reasons; approve or reject each with POST /api/referrals/rewards/{id}/approve or /reject.";
            s.Responses[StatusCodes.Status200OK] = "One page of the queue; total counts all matches.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an OWNER or ADMIN of an organization.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!ReferralAccess.MayReview(Caller))
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an organization admin (OWNER or ADMIN) sees the review queue.");
            return;
        }

        var (items, total) = await ReadAsync(Session, req.WaitReason, req.PageSize, req.RowsBefore(), ct);
        await Send.OkAsync(new Response(items, req.Page, req.PageSize, total), ct);
    }

    /// <summary>One page of the queue, in the caller's session (this endpoint and the console's Referrals page).</summary>
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
                reader.GetGuid(reader.GetOrdinal("id")), reader.GetGuid(reader.GetOrdinal("referral_id")),
                reader.GetString(reader.GetOrdinal("referred_email")), NullableGuid(reader, "referrer_user_id"),
                reader.GetString(reader.GetOrdinal("side")), reader.GetString(reader.GetOrdinal("trigger")),
                reader.GetString(reader.GetOrdinal("reward_type")), reader.GetInt32(reader.GetOrdinal("amount_cents")),
                reader.GetString(reader.GetOrdinal("currency")).Trim(), NullableGuid(reader, "beneficiary_user_id"),
                reader.GetString(reader.GetOrdinal("wait_reason")),
                reader.IsDBNull(reader.GetOrdinal("hold_until")) ? null : reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal("hold_until")),
                reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal("created_at")), reader.GetDecimal(reader.GetOrdinal("fraud_score")),
                reader.GetFieldValue<string[]>(reader.GetOrdinal("fraud_reasons")), reader.GetBoolean(reader.GetOrdinal("flagged_for_review"))));
            total = reader.GetInt64(reader.GetOrdinal("total"));
        }

        return (items, total);
    }

    private static Guid? NullableGuid(NpgsqlDataReader reader, string column) =>
        reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetGuid(reader.GetOrdinal(column));
}
