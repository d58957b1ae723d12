using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Convert;

/// <summary>
/// A referred person signed up or subscribed (reported by WedSync's signup and billing services).
/// The referral row is locked for the transaction, and the unique constraints on conversions and
/// rewards make a repeated or concurrent event grant nothing more: it answers what was granted.
/// </summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string FindSql = """
        SELECT r.id, r.organization_id, r.referrer_user_id, r.status, r.created_at, r.flagged_for_review,
               detect_circular_referral(r.referrer_user_id, @userId)
        FROM referrals r
        WHERE (@code::text IS NOT NULL AND r.referral_code_id = (SELECT c.id FROM referral_codes c WHERE c.code = @code))
           OR (@email::text IS NOT NULL AND r.referred_mailbox = app.canonical_mailbox(@email))
        FOR UPDATE OF r
        """;

    private const string RecordedSql = """
        SELECT w.side, w.trigger, w.tier, w.amount_cents, w.currency, w.status, w.beneficiary_user_id
        FROM referral_rewards w WHERE w.referral_id = @referralId AND w.trigger = @trigger ORDER BY w.side
        """;

    // Conversions of one referrer are serialized from here to commit (a transaction-scoped lock, so
    // it holds behind a transaction-mode pooler): the tier counts the referrer's converted referrals,
    // and two conversions counting at once would both miss the other and pay the lower tier.
    private const string ReferrerLockSql = "SELECT pg_advisory_xact_lock(hashtextextended('referral-tier:' || @referrer::text, 0))";

    private const string ConvertedCountSql = """
        SELECT count(*)::integer FROM referrals
        WHERE organization_id = @org AND referrer_user_id = @referrer AND status = 'converted' AND id <> @referralId
        """;

    public override void Configure()
    {
        Post("/referrals/conversions");
        Summary(s =>
        {
            s.Summary = "Record a referred user's signup or subscription (service callers only)";
            s.Description = "Idempotent: the same event again grants nothing more and answers alreadyRecorded with the rewards granted the first time. Rewards follow the referrer's tier at conversion time.";
            s.Responses[StatusCodes.Status200OK] = "The rewards granted by this event, or already granted by it.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not a service.";
            s.Responses[StatusCodes.Status404NotFound] = "No referral with this code or e-mail.";
            s.Responses[StatusCodes.Status422UnprocessableEntity] = "A fraud rule refuses the conversion; reasons name it (conversion_before_referral: occurredAt before the referral was created, "
                + "5 minutes of clock difference tolerated; conversion_window_closed: more than Referrals:AttributionWindowDays, 30 by default, after it).";
        });
    }

    protected override bool RequiresProfile => false;

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!Caller.IsService)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only WedSync's services record conversions.");
            return;
        }

        var referral = await FindAsync(req, ct);
        if (referral is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No referral with this code or e-mail.");
            return;
        }

        var already = await RewardsAsync(referral.Id, req.Event, ct);
        if (already.Count > 0)
        {
            await Send.OkAsync(new Response(referral.Id, referral.Status, AlreadyRecorded: true, already), ct);
            return;
        }

        if (Refusal(req, referral, Resolve<IOptions<ReferralOptions>>().Value.AttributionWindowDays) is { } rule)
        {
            ReferralTelemetry.CountByRule(ReferralTelemetry.Rejected, [rule]);
            await Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status422UnprocessableEntity,
                $"The conversion is refused: {rule}.", [rule]));
            return;
        }

        var tier = await TierAsync(referral, ct);
        var triggers = req.Event == "subscribed" && referral.Status == "pending"
            ? new[] { "signed_up", "subscribed" }
            : [req.Event];
        var granted = new List<GrantedReward>();
        foreach (var trigger in triggers)
        {
            await AdvanceAsync(referral, req, trigger, ct);
            granted.AddRange(await GrantAsync(referral, req, trigger, tier, ct));
        }

        ReferralTelemetry.Conversions.Add(1, new KeyValuePair<string, object?>("event", req.Event));
        foreach (var reward in granted)
        {
            ReferralTelemetry.RewardsGrantedCents.Add(reward.AmountCents, new KeyValuePair<string, object?>("side", reward.Side));
        }

        var status = req.Event == "subscribed" ? "converted" : "signed_up";
        await Send.OkAsync(new Response(referral.Id, status, AlreadyRecorded: false,
            granted.Where(g => g.Trigger == req.Event).ToList()), ct);
    }

    private static string? Refusal(Request req, FoundReferral referral, int windowDays)
    {
        using var activity = ReferralTelemetry.Source.StartActivity("referral conversion fraud check");
        string? rule = referral.Status switch
        {
            "rejected" => "rejected_referral",
            "expired" => FraudRules.ConversionWindowClosed,
            "converted" when req.Event == "subscribed" => null,
            _ => null,
        };
        rule ??= req.ReferredUserId == referral.ReferrerUserId ? FraudRules.SelfReferral
            : referral.Circular ? FraudRules.CircularReferral
            : req.OccurredAt < referral.CreatedAt - FraudRules.ClockSkew ? FraudRules.ConversionBeforeReferral
            : req.OccurredAt > referral.CreatedAt.AddDays(windowDays) ? FraudRules.ConversionWindowClosed
            : req.Event == "signed_up" && referral.Status is "signed_up" or "converted" ? "already_signed_up"
            : null;
        activity?.SetTag("wedsync.referral.fraud_reasons", rule);
        return rule;
    }

    private async Task<FoundReferral?> FindAsync(Request req, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(FindSql);
        command.Parameters.Add(new NpgsqlParameter("code", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)(req.ReferralCode is null ? null : ReferralCode.Normalize(req.ReferralCode)) ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("email", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)ReferredAddress.Normalize(req.ReferredEmail) ?? DBNull.Value });
        command.Parameters.AddWithValue("userId", req.ReferredUserId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new FoundReferral(reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetBoolean(5), !reader.IsDBNull(6) && reader.GetBoolean(6))
            : null;
    }

    private async Task<List<GrantedReward>> RewardsAsync(Guid referralId, string trigger, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(RecordedSql);
        command.Parameters.AddWithValue("referralId", referralId);
        command.Parameters.AddWithValue("trigger", trigger);
        var rewards = new List<GrantedReward>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rewards.Add(new GrantedReward(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetString(4).Trim(), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetGuid(6)));
        }

        return rewards;
    }

    private async Task<RewardTier> TierAsync(FoundReferral referral, CancellationToken ct)
    {
        if (referral.ReferrerUserId is { } referrer)
        {
            await using var lockCommand = Session.CreateCommand(ReferrerLockSql);
            lockCommand.Parameters.AddWithValue("referrer", referrer);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        await using var command = Session.CreateCommand($"SELECT {RewardTier.Columns} FROM referral_tier_for(({ConvertedCountSql}))");
        command.Parameters.AddWithValue("org", referral.OrganizationId);
        command.Parameters.Add(new NpgsqlParameter("referrer", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)referral.ReferrerUserId ?? DBNull.Value });
        command.Parameters.AddWithValue("referralId", referral.Id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return RewardTier.Read(reader);
    }

    private async Task AdvanceAsync(FoundReferral referral, Request req, string trigger, CancellationToken ct)
    {
        var sql = trigger == "signed_up"
            ? """
              UPDATE referrals SET status = 'signed_up', referred_user_id = @userId, signed_up_at = @at
              WHERE id = @id AND status = 'pending';
              INSERT INTO referral_conversions (organization_id, referral_id, event, occurred_at)
              VALUES (@org, @id, 'signed_up', @at) ON CONFLICT (referral_id, event) DO NOTHING;
              """
            : """
              UPDATE referrals SET status = 'converted', referred_user_id = coalesce(referred_user_id, @userId), converted_at = @at
              WHERE id = @id AND status = 'signed_up';
              INSERT INTO referral_conversions (organization_id, referral_id, event, occurred_at)
              VALUES (@org, @id, 'subscribed', @at) ON CONFLICT (referral_id, event) DO NOTHING;
              """;
        await using var command = Session.CreateCommand(sql);
        command.Parameters.AddWithValue("id", referral.Id);
        command.Parameters.AddWithValue("org", referral.OrganizationId);
        command.Parameters.AddWithValue("userId", req.ReferredUserId);
        command.Parameters.AddWithValue("at", req.OccurredAt.ToUniversalTime());
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<GrantedReward>> GrantAsync(FoundReferral referral, Request req, string trigger, RewardTier tier, CancellationToken ct)
    {
        // Every reward starts pending; the ledger's insert trigger applies the organization's rules
        // (hold, review of flagged referrals, automatic approval, spend cap) in this transaction.
        await using var batch = Session.CreateBatch();
        foreach (var (side, beneficiary) in new[] { ("referrer", referral.ReferrerUserId), ("referee", (Guid?)req.ReferredUserId) })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO referral_rewards (organization_id, referral_id, side, trigger, tier, amount_cents, currency, status, beneficiary_user_id)
                VALUES (@org, @id, @side, @trigger, @tier, @amount, @currency, 'pending', @beneficiary)
                ON CONFLICT (referral_id, side, trigger) DO NOTHING
                """)
            {
                Parameters =
                {
                    new("org", referral.OrganizationId),
                    new("id", referral.Id),
                    new("side", side),
                    new("trigger", trigger),
                    new("tier", tier.Tier),
                    new("amount", tier.AmountCents(side, trigger)),
                    new("currency", tier.Currency),
                    new("beneficiary", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)beneficiary ?? DBNull.Value },
                },
            });
        }

        await batch.ExecuteNonQueryAsync(ct);
        return await RewardsAsync(referral.Id, trigger, ct);
    }

    private sealed record FoundReferral(Guid Id, Guid OrganizationId, Guid? ReferrerUserId, string Status, DateTimeOffset CreatedAt, bool FlaggedForReview, bool Circular);
}
