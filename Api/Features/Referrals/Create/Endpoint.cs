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
/// Invites someone: reads the fraud signals and the limit counters in one query, draws a fresh code
/// (the unique index decides collisions) and stores the referral with its score and reasons. The
/// limits (codes per UTC hour, referrals per referrer and per client network per UTC day) are
/// enforced by the database while it writes: each write takes a unit of its counter rows under their
/// row lock (20250901300001), so concurrent requests can never pass a limit together. The read
/// before only answers early and lets a broken limit add to the fraud score.
/// </summary>
public sealed class Endpoint(IOptions<ReferralOptions> options) : TenantEndpoint<Request, Response>
{
    private const int CodeAttempts = 5;

    private (FraudSignals Signals, long CodesThisHour, int Converted)? opened;

    // One definer function: platform-wide rules (first touch, per-IP) and index use that RLS would prevent.
    private const string SignalsSql = "SELECT * FROM referral_create_signals(@email, @ip)";

    // The limits the database's counters enforce in this transaction (transaction-local settings,
    // so they hold behind a transaction-mode pooler too).
    private const string LimitsSql = """
        SELECT set_config('wedsync.referrals.codes_per_hour', @codesPerHour, true),
               set_config('wedsync.referrals.per_referrer_per_day', @perReferrerPerDay, true),
               set_config('wedsync.referrals.per_ip_per_day', @perIpPerDay, true)
        """;

    // The code and the referral that uses it in one statement: no row when the drawn code is taken
    // (ON CONFLICT DO NOTHING), so the caller draws again; a unique violation is the referred e-mail.
    // The caller's organization and id come as parameters (read when the session opened): the
    // app.current_* helpers are planned and run per call, and RLS checks the organization anyway.
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
        var (signals, codesThisHour, converted) = opened
            ?? throw new InvalidOperationException("The fraud signals were not read with the session.");

        if (codesThisHour >= options.Value.CodesPerHour)
        {
            await SendCodesPerHourAsync();
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
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation && LimitReason(ex.ConstraintName) is { } limit)
        {
            // Concurrent requests took the last units of a limit after the signals were read.
            await Session.RollbackAsync();
            if (limit == CodesPerHourReason)
            {
                await SendCodesPerHourAsync();
                return;
            }

            var all = reasons.Append(limit).Distinct().ToList();
            ReferralTelemetry.CountByRule(ReferralTelemetry.Rejected, all);
            await Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status422UnprocessableEntity,
                $"The referral was rejected by the fraud rules: {string.Join(", ", all)}.", all, FraudRules.Score(all)));
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

    /// <summary>The signals, read in the session's opening batch (one round trip less per referral).</summary>
    protected override OpeningQuery OpeningQueryFor(Request req)
    {
        var (email, ip) = Invitation(req);
        var command = new NpgsqlBatchCommand(SignalsSql)
        {
            Parameters =
            {
                new NpgsqlParameter("email", email),
                new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value },
            },
        };
        return new OpeningQuery(command, async (reader, ct) =>
        {
            // No row when the caller has no profile: the base answers 403 before the handler runs.
            opened = await reader.ReadAsync(ct)
                ? (new FraudSignals(
                    reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0),
                    !reader.IsDBNull(1) && reader.GetBoolean(1),
                    reader.GetInt32(3),
                    ip is null ? 0 : reader.GetInt32(4),
                    reader.GetBoolean(5),
                    !reader.IsDBNull(6) && reader.GetBoolean(6)), reader.GetInt32(2), reader.GetInt32(7))
                : null;
        });
    }

    /// <summary>Whom and from where: the address as the rules compare it (the validator checked it normalizes) and the client.</summary>
    private (string Email, IPAddress? Ip) Invitation(Request req) =>
        (ReferredAddress.Normalize(req.ReferredEmail)!, ClientNetwork.Normalize(HttpContext.Connection.RemoteIpAddress));

    private sealed record Stored(Guid ReferralId, string Status, string Code, RewardTier Tier);

    /// <summary>Stores code and referral, and reads the caller's tier, in one round trip per drawn code.</summary>
    private async Task<Stored> InsertReferralAsync(Request req, string email, decimal score,
        IReadOnlyList<string> reasons, bool flagged, IPAddress? ip, int converted, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= CodeAttempts; attempt++)
        {
            var code = ReferralCode.New();
            await using var batch = Session.CreateBatch();
            batch.BatchCommands.Add(new NpgsqlBatchCommand(LimitsSql)
            {
                Parameters =
                {
                    new NpgsqlParameter("codesPerHour", Invariant(options.Value.CodesPerHour)),
                    new NpgsqlParameter("perReferrerPerDay", Invariant(options.Value.ReferralsPerReferrerPerDay)),
                    new NpgsqlParameter("perIpPerDay", Invariant(options.Value.ReferralsPerIpPerDay)),
                },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(InsertReferralSql)
            {
                Parameters =
                {
                    new NpgsqlParameter("org", Caller.OrganizationId!.Value),
                    new NpgsqlParameter("user", Caller.UserId!.Value),
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
            // The limits' set_config row comes first.
            await reader.NextResultAsync(ct);
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

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Money(int cents, string currency) => $"{cents / 100m:0.00} {currency}";
}
