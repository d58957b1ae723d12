using System.Net;
using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Create;

/// <summary>
/// Invites someone: checks the fraud rules in one query, draws a fresh code (the unique index
/// decides collisions) and stores the referral with its score and reasons.
/// </summary>
public sealed class Endpoint(IOptions<ReferralOptions> options) : TenantEndpoint<Request, Response>
{
    private const int CodeAttempts = 5;

    // One definer function: platform-wide rules (first touch, per-IP) and index use that RLS would prevent.
    private const string SignalsSql = "SELECT * FROM referral_fraud_signals(@email, @ip)";

    // The code and the referral that uses it in one statement: no row when the drawn code is taken
    // (ON CONFLICT DO NOTHING), so the caller draws again; a unique violation is the referred e-mail.
    private const string InsertReferralSql = """
        WITH code AS (
            INSERT INTO referral_codes (organization_id, user_id, code)
            VALUES (app.current_organization_id(), app.current_user_id(), @code)
            ON CONFLICT (code) DO NOTHING
            RETURNING id)
        INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referrer_type, referred_email,
                               reward_type, fraud_score, fraud_reasons, flagged_for_review, client_ip)
        SELECT app.current_organization_id(), code.id, app.current_user_id(), @referrerType, @email,
               @rewardType, @score, @reasons, @flagged, @ip
        FROM code
        RETURNING id, status
        """;

    public override void Configure()
    {
        Post("/referrals");
        Summary(s =>
        {
            s.Summary = "Refer someone: a referral with its own code and share link";
            s.Description = "Fraud rules run first: above a score of 0.8 the referral is rejected (422, reasons named), above 0.7 it is created and flagged for review. More than 10 codes an hour is 429.";
            s.Responses[StatusCodes.Status201Created] = "The referral, its code and share link.";
            s.Responses[StatusCodes.Status409Conflict] = "This person was already referred (first touch wins).";
            s.Responses[StatusCodes.Status422UnprocessableEntity] = "Rejected by the fraud rules; reasons name them.";
            s.Responses[StatusCodes.Status429TooManyRequests] = "More than 10 codes in the last hour.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var email = req.ReferredEmail.Trim().ToLowerInvariant();
        var ip = HttpContext.Connection.RemoteIpAddress;
        var (signals, codesLastHour, converted) = await ReadSignalsAsync(email, ip, ct);

        if (codesLastHour >= options.Value.CodesPerHour)
        {
            HttpContext.Response.Headers.RetryAfter = "3600";
            await Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status429TooManyRequests,
                $"At most {options.Value.CodesPerHour} referral codes an hour.", ["codes_per_hour"]));
            return;
        }

        if (signals.AlreadyReferred)
        {
            await SendAlreadyReferredAsync();
            return;
        }

        var reasons = Assess(signals);
        var score = FraudRules.Score(reasons);
        if (score > FraudRules.RejectAbove)
        {
            ReferralTelemetry.CountByRule(ReferralTelemetry.Rejected, reasons);
            await Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status422UnprocessableEntity,
                $"The referral was rejected by the fraud rules: {string.Join(", ", reasons)}.", reasons, score));
            return;
        }

        var flagged = score > FraudRules.FlagAbove;
        if (flagged)
        {
            ReferralTelemetry.CountByRule(ReferralTelemetry.Flagged, reasons);
        }

        Stored stored;
        try
        {
            stored = await InsertReferralAsync(req, email, score, reasons, flagged, ip, converted, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Referred in another organization meanwhile (invisible to this tenant): first touch wins.
            await Session.RollbackAsync();
            await SendAlreadyReferredAsync();
            return;
        }

        var (referralId, status, code, tier) = stored;
        ReferralTelemetry.CodesCreated.Add(1);
        var rewardType = req.RewardType ?? "credit";
        var response = new Response(
            referralId,
            code,
            options.Value.ShareUrl(code),
            new RewardDetails(rewardType, tier.RefereeSignupCents, tier.Currency,
                $"Your friend gets {Money(tier.RefereeSignupCents, tier.Currency)} {rewardType} on signup; you get {Money(tier.ReferrerSignupCents, tier.Currency)}."),
            status,
            reasons.Count > 0 ? new FraudReview(flagged, score, reasons) : null);
        await Send.ResponseAsync(response, StatusCodes.Status201Created, ct);
    }

    private IReadOnlyList<string> Assess(FraudSignals signals)
    {
        using var activity = ReferralTelemetry.Source.StartActivity("referral fraud check");
        var reasons = signals.BrokenRules(DateTimeOffset.UtcNow, options.Value);
        activity?.SetTag("wedsync.referral.fraud_reasons", string.Join(",", reasons));
        return reasons;
    }

    private Task SendAlreadyReferredAsync() =>
        Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status409Conflict,
            "This person has already been referred; the first referral counts.", [FraudRules.AlreadyReferred]));

    private async Task<(FraudSignals Signals, long CodesLastHour, int Converted)> ReadSignalsAsync(
        string email, IPAddress? ip, CancellationToken ct)
    {
        using var activity = ReferralTelemetry.Source.StartActivity("referral fraud signals");
        await using var command = Session.CreateCommand(SignalsSql);
        command.Parameters.AddWithValue("email", email);
        command.Parameters.Add(new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var signals = new FraudSignals(
            reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0),
            reader.GetBoolean(1),
            reader.GetInt64(3),
            ip is null ? 0 : reader.GetInt64(4),
            reader.GetBoolean(5),
            !reader.IsDBNull(6) && reader.GetBoolean(6));
        return (signals, reader.GetInt64(2), reader.GetInt32(7));
    }

    private sealed record Stored(Guid ReferralId, string Status, string Code, RewardTier Tier);

    /// <summary>Stores code and referral, and reads the caller's tier, in one round trip per drawn code.</summary>
    private async Task<Stored> InsertReferralAsync(Request req, string email, decimal score,
        IReadOnlyList<string> reasons, bool flagged, IPAddress? ip, int converted, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= CodeAttempts; attempt++)
        {
            var code = ReferralCode.New();
            await using var batch = Session.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(InsertReferralSql)
            {
                Parameters =
                {
                    new NpgsqlParameter("code", code),
                    new NpgsqlParameter("referrerType", req.ReferrerType ?? "supplier"),
                    new NpgsqlParameter("email", email),
                    new NpgsqlParameter("rewardType", req.RewardType ?? "credit"),
                    new NpgsqlParameter("score", score),
                    new NpgsqlParameter("reasons", reasons.ToArray()),
                    new NpgsqlParameter("flagged", flagged),
                    new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value },
                },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {RewardTier.Columns} FROM referral_tier_for(@converted)")
            {
                Parameters = { new NpgsqlParameter("converted", converted) },
            });
            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                continue;
            }

            var (id, status) = (reader.GetGuid(0), reader.GetString(1));
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            return new Stored(id, status, code, RewardTier.Read(reader));
        }

        // 36^8 codes: five collisions in a row means something other than chance.
        throw new InvalidOperationException($"No free referral code after {CodeAttempts} attempts.");
    }

    private static string Money(int cents, string currency) => $"{cents / 100m:0.00} {currency}";
}
