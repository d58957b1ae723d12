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

    private const string InsertCodeSql = """
        INSERT INTO referral_codes (organization_id, user_id, code)
        VALUES (app.current_organization_id(), app.current_user_id(), @code)
        ON CONFLICT (code) DO NOTHING
        RETURNING id
        """;

    private const string InsertReferralSql = """
        INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referrer_type, referred_email,
                               reward_type, fraud_score, fraud_reasons, flagged_for_review, client_ip)
        VALUES (app.current_organization_id(), @codeId, app.current_user_id(), @referrerType, @email,
                @rewardType, @score, @reasons, @flagged, @ip)
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

        var (codeId, code) = await InsertCodeAsync(ct);
        Guid referralId;
        string status;
        try
        {
            (referralId, status) = await InsertReferralAsync(req, email, codeId, score, reasons, flagged, ip, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Referred in another organization meanwhile (invisible to this tenant): first touch wins.
            await Session.RollbackAsync();
            await SendAlreadyReferredAsync();
            return;
        }

        var tier = await TierAsync(converted, ct);
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

    private async Task<(Guid Id, string Code)> InsertCodeAsync(CancellationToken ct)
    {
        for (var attempt = 1; attempt <= CodeAttempts; attempt++)
        {
            var code = ReferralCode.New();
            await using var command = Session.CreateCommand(InsertCodeSql);
            command.Parameters.AddWithValue("code", code);
            if (await command.ExecuteScalarAsync(ct) is Guid id)
            {
                return (id, code);
            }
        }

        // 36^8 codes: five collisions in a row means something other than chance.
        throw new InvalidOperationException($"No free referral code after {CodeAttempts} attempts.");
    }

    private async Task<(Guid Id, string Status)> InsertReferralAsync(Request req, string email, Guid codeId, decimal score,
        IReadOnlyList<string> reasons, bool flagged, IPAddress? ip, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(InsertReferralSql);
        command.Parameters.AddWithValue("codeId", codeId);
        command.Parameters.AddWithValue("referrerType", req.ReferrerType ?? "supplier");
        command.Parameters.AddWithValue("email", email);
        command.Parameters.AddWithValue("rewardType", req.RewardType ?? "credit");
        command.Parameters.AddWithValue("score", score);
        command.Parameters.AddWithValue("reasons", reasons.ToArray());
        command.Parameters.AddWithValue("flagged", flagged);
        command.Parameters.Add(new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetGuid(0), reader.GetString(1));
    }

    private async Task<RewardTier> TierAsync(int converted, CancellationToken ct)
    {
        await using var command = Session.CreateCommand($"SELECT {RewardTier.Columns} FROM referral_tier_for(@converted)");
        command.Parameters.AddWithValue("converted", converted);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return RewardTier.Read(reader);
    }

    private static string Money(int cents, string currency) => $"{cents / 100m:0.00} {currency}";
}
