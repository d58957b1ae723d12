using System.Globalization;
using System.Net;
using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Network;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Create;

/// <summary>
/// Invites someone. The session's opening batch calls <c>referral_create</c> (20250901800001), which
/// reads the signals, the limit counters and the tier, names the fraud rules the referral breaks and,
/// when none does, stores a fresh code and the referral: a clean referral costs the opening round trip
/// and the commit. Otherwise this endpoint weighs the reasons (<see cref="FraudRules"/>) and answers, or
/// stores a flagged referral itself. The limits (codes per UTC hour, referrals per referrer and per
/// client network per UTC day) are enforced by the database while it writes: each write takes a unit
/// of its counter rows under their row lock (20250901300001), so concurrent requests can never pass a
/// limit together. The counters read before only answer early and let a broken limit add to the score.
/// </summary>
public sealed class Endpoint(IOptions<ReferralOptions> options) : TenantEndpoint<Request, Response>
{
    private const int CodeAttempts = 5;

    private Opened? opened;

    // Checks, counters, tier and (for a clean referral) the write, in one call as the request role.
    private const string CreateSql = """
        SELECT codes_this_hour, already_referred, reasons, referral_id, status,
               tier, referrer_signup_cents, referrer_subscription_cents, referee_signup_cents,
               referee_subscription_cents, currency, next_tier, next_tier_min_converted
        FROM referral_create(@email, @ip, @code, @referrerType, @rewardType,
                             @codesPerHour, @perReferrerPerDay, @perIpPerDay, @minimumAccountAge)
        """;

    // A flagged referral, or another code after a taken one: the code and the referral that uses it in
    // one statement; no row when the drawn code is taken (ON CONFLICT DO NOTHING), so the caller draws
    // again; a unique violation is the referred e-mail. The limits were stated by referral_create.
    private const string InsertReferralSql = """
        WITH code AS (
            INSERT INTO referral_codes (organization_id, user_id, code)
            VALUES (@org, @user, @code)
            ON CONFLICT (code) DO NOTHING
            RETURNING id)
        INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referrer_type, referred_email,
                               reward_type, fraud_score, fraud_reasons, flagged_for_review, client_ip)
        SELECT @org, code.id, @user, @referrerType, @email,
               @rewardType, @score, @reasons, @flagged, @ip
        FROM code
        RETURNING id, status
        """;

    /// <summary>What referral_create answered: the referral when it stored one.</summary>
    private sealed record Opened(long CodesThisHour, bool AlreadyReferred, IReadOnlyList<string> Reasons,
        Guid? ReferralId, string? Status, string Code, RewardTier Tier);

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
            s.Responses[StatusCodes.Status429TooManyRequests] = "More than 10 codes in this UTC clock hour.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var (email, ip) = Invitation(req);
        var answer = opened ?? throw new InvalidOperationException("referral_create was not called with the session.");

        if (answer.ReferralId is { } storedId)
        {
            // No rule spoke against it: stored in the opening batch, committed with this answer.
            await SendCreatedAsync(req, new Stored(storedId, answer.Status!, answer.Code, answer.Tier), [], 0m, flagged: false, ct);
            return;
        }

        if (answer.CodesThisHour >= options.Value.CodesPerHour)
        {
            await SendCodesPerHourAsync();
            return;
        }

        if (answer.AlreadyReferred)
        {
            await SendAlreadyReferredAsync();
            return;
        }

        var reasons = Assess(answer.Reasons);
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
            stored = await InsertReferralAsync(req, email, score, reasons, flagged, ip, answer.Tier, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Referred in another organization meanwhile (invisible to this tenant): first touch wins.
            await Session.RollbackAfterFailureAsync();
            await SendAlreadyReferredAsync();
            return;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation && LimitReason(ex.ConstraintName) is { } limit)
        {
            // Concurrent requests took the last units of a limit after the signals were read.
            await Session.RollbackAfterFailureAsync();
            await SendLimitReachedAsync(limit, reasons);
            return;
        }

        await SendCreatedAsync(req, stored, reasons, score, flagged, ct);
    }

    /// <summary>
    /// referral_create found the limits open, but concurrent requests took their last units before its
    /// write did (the counter refused): the same answers as a limit read before the write.
    /// </summary>
    protected override async Task<bool> AnswerOpeningFailureAsync(PostgresException exception)
    {
        if (exception.SqlState == PostgresErrorCodes.CheckViolation && LimitReason(exception.ConstraintName) is { } limit)
        {
            await SendLimitReachedAsync(limit, []);
            return true;
        }

        return false;
    }

    private Task SendLimitReachedAsync(string limit, IReadOnlyList<string> reasons)
    {
        if (limit == CodesPerHourReason)
        {
            return SendCodesPerHourAsync();
        }

        var all = reasons.Append(limit).Distinct().ToList();
        ReferralTelemetry.CountByRule(ReferralTelemetry.Rejected, all);
        return Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status422UnprocessableEntity,
            $"The referral was rejected by the fraud rules: {string.Join(", ", all)}.", all, FraudRules.Score(all)));
    }

    private async Task SendCreatedAsync(Request req, Stored stored, IReadOnlyList<string> reasons, decimal score, bool flagged, CancellationToken ct)
    {
        var (referralId, status, code, tier) = stored;
        ReferralTelemetry.CodesCreated.Add(1);
        var rewardType = req.RewardType ?? "credit";
        var response = new Response(
            referralId,
            code,
            options.Value.ShareLink(HttpContext.Request, code),
            new RewardDetails(rewardType, tier.RefereeSignupCents, tier.Currency,
                $"Your friend gets {Money(tier.RefereeSignupCents, tier.Currency)} {rewardType} on signup; you get {Money(tier.ReferrerSignupCents, tier.Currency)}."),
            status,
            reasons.Count > 0 ? new FraudReview(flagged, score, reasons) : null);
        await Send.ResponseAsync(response, StatusCodes.Status201Created, ct);
    }

    private static IReadOnlyList<string> Assess(IReadOnlyList<string> reasons)
    {
        using var activity = ReferralTelemetry.Source.StartActivity("referral fraud check");
        activity?.SetTag("wedsync.referral.fraud_reasons", string.Join(",", reasons));
        return reasons;
    }

    private const string CodesPerHourReason = "codes_per_hour";

    /// <summary>The rule a counter of 20250901300001 refused, by the constraint name it raised.</summary>
    private static string? LimitReason(string? constraint) => constraint switch
    {
        "codes_per_hour" => CodesPerHourReason,
        "referrals_per_referrer_per_day" => FraudRules.ReferrerDailyLimit,
        "referrals_per_ip_per_day" => FraudRules.IpDailyLimit,
        _ => null,
    };

    /// <summary>429 until the next UTC clock hour, when the code counter starts again.</summary>
    private Task SendCodesPerHourAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var nextHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
        HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((nextHour - now).TotalSeconds))
            .ToString(CultureInfo.InvariantCulture);
        return Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status429TooManyRequests,
            $"At most {options.Value.CodesPerHour} referral codes per UTC clock hour.", [CodesPerHourReason]));
    }

    private Task SendAlreadyReferredAsync() =>
        Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status409Conflict,
            "This person has already been referred; the first referral counts.", [FraudRules.AlreadyReferred]));

    /// <summary>referral_create, called in the session's opening batch (one round trip for a clean referral).</summary>
    protected override OpeningQuery OpeningQueryFor(Request req)
    {
        var (email, ip) = Invitation(req);
        var code = ReferralCode.New();
        var limits = options.Value;
        var command = new NpgsqlBatchCommand(CreateSql)
        {
            Parameters =
            {
                new NpgsqlParameter("email", email),
                new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value },
                new NpgsqlParameter("code", code),
                new NpgsqlParameter("referrerType", req.ReferrerType ?? "supplier"),
                new NpgsqlParameter("rewardType", req.RewardType ?? "credit"),
                new NpgsqlParameter("codesPerHour", limits.CodesPerHour),
                new NpgsqlParameter("perReferrerPerDay", limits.ReferralsPerReferrerPerDay),
                new NpgsqlParameter("perIpPerDay", limits.ReferralsPerIpPerDay),
                new NpgsqlParameter("minimumAccountAge", TimeSpan.FromDays(FraudRules.MinimumAccountAgeDays)),
            },
        };
        return new OpeningQuery(command, async (reader, ct) =>
        {
            // No row when the caller has no profile: the base answers 403 before the handler runs.
            opened = await reader.ReadAsync(ct)
                ? new Opened(
                    reader.GetInt32(0),
                    reader.GetBoolean(1),
                    reader.GetFieldValue<string[]>(2),
                    reader.IsDBNull(3) ? null : reader.GetGuid(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    code,
                    RewardTier.Read(reader))
                : null;
        });
    }

    /// <summary>Whom and from where: the address as the rules compare it (the validator checked it normalizes) and the client.</summary>
    private (string Email, IPAddress? Ip) Invitation(Request req) =>
        (ReferredAddress.Normalize(req.ReferredEmail)!, ClientNetwork.Normalize(HttpContext.Connection.RemoteIpAddress));

    private sealed record Stored(Guid ReferralId, string Status, string Code, RewardTier Tier);

    /// <summary>Stores code and referral in one round trip per drawn code; the tier was read by referral_create.</summary>
    private async Task<Stored> InsertReferralAsync(Request req, string email, decimal score,
        IReadOnlyList<string> reasons, bool flagged, IPAddress? ip, RewardTier tier, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= CodeAttempts; attempt++)
        {
            var code = ReferralCode.New();
            await using var command = Session.CreateCommand(InsertReferralSql);
            command.Parameters.Add(new NpgsqlParameter("org", Caller.OrganizationId!.Value));
            command.Parameters.Add(new NpgsqlParameter("user", Caller.UserId!.Value));
            command.Parameters.Add(new NpgsqlParameter("code", code));
            command.Parameters.Add(new NpgsqlParameter("referrerType", req.ReferrerType ?? "supplier"));
            command.Parameters.Add(new NpgsqlParameter("email", email));
            command.Parameters.Add(new NpgsqlParameter("rewardType", req.RewardType ?? "credit"));
            command.Parameters.Add(new NpgsqlParameter("score", score));
            command.Parameters.Add(new NpgsqlParameter("reasons", reasons.ToArray()));
            command.Parameters.Add(new NpgsqlParameter("flagged", flagged));
            command.Parameters.Add(new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                return new Stored(reader.GetGuid(0), reader.GetString(1), code, tier);
            }
        }

        // 36^8 codes: five collisions in a row means something other than chance.
        throw new InvalidOperationException($"No free referral code after {CodeAttempts} attempts.");
    }

    private static string Money(int cents, string currency) => $"{cents / 100m:0.00} {currency}";
}
