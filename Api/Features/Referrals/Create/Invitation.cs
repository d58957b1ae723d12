using System.Net;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Network;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Create;

/// <summary>What an invitation came to: POST /api/referrals answers it over HTTP, the console's Referrals page in words.</summary>
public abstract record InvitationOutcome
{
    private InvitationOutcome()
    {
    }

    /// <summary>Stored (flagged when the rules asked for a review); reasons are the rules it broke.</summary>
    public sealed record Created(Guid ReferralId, string Status, string Code, RewardTier Tier, IReadOnlyList<string> Reasons, decimal Score, bool Flagged) : InvitationOutcome;

    /// <summary>The caller drew as many codes as a UTC clock hour allows.</summary>
    public sealed record CodesPerHour : InvitationOutcome;

    /// <summary>This person was referred before: the first referral counts.</summary>
    public sealed record AlreadyReferred : InvitationOutcome;

    /// <summary>Refused by the fraud rules or a daily limit, with the reasons.</summary>
    public sealed record Rejected(IReadOnlyList<string> Reasons, decimal Score) : InvitationOutcome;
}

/// <summary>What referral_create answered: the referral when it stored one.</summary>
public sealed record InvitationOpened(long CodesThisHour, bool AlreadyReferred, IReadOnlyList<string> Reasons,
    Guid? ReferralId, string? Status, string Code, RewardTier Tier);

/// <summary>
/// Inviting someone, for every caller (the endpoint, the console): <c>referral_create</c> (20250901800001)
/// reads the signals, the limit counters and the tier, names the fraud rules the referral breaks and, when
/// none does, stores a fresh code and the referral. Otherwise the reasons are weighed here (<see cref="FraudRules"/>)
/// and a flagged referral is stored. The limits are enforced by the database while it writes (20250901300001).
/// </summary>
public static class Invitation
{
    private const int CodeAttempts = 5;

    private const string CodesPerHourReason = "codes_per_hour";

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

    /// <summary>Whom and from where: the address as the rules compare it (the validator checked it normalizes) and the client's network.</summary>
    public static (string Email, IPAddress? Ip) Parties(Request req, IPAddress? remote) =>
        (ReferredAddress.Normalize(req.ReferredEmail)!, ClientNetwork.Normalize(remote));

    /// <summary>referral_create as a batch command, for a session's opening batch (one round trip for a clean referral).</summary>
    public static NpgsqlBatchCommand OpeningCommand(Request req, string email, IPAddress? ip, string code, ReferralOptions limits)
    {
        var command = new NpgsqlBatchCommand(CreateSql);
        command.Parameters.AddRange(CreateParameters(req, email, ip, code, limits));
        return command;
    }

    /// <summary>referral_create's row; null when the caller has no profile.</summary>
    public static async Task<InvitationOpened?> ReadOpeningAsync(NpgsqlDataReader reader, string code, CancellationToken ct) =>
        await reader.ReadAsync(ct)
            ? new InvitationOpened(
                reader.GetInt32(0),
                reader.GetBoolean(1),
                reader.GetFieldValue<string[]>(2),
                reader.IsDBNull(3) ? null : reader.GetGuid(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                code,
                RewardTier.Read(reader))
            : null;

    /// <summary>
    /// The whole invitation in an open session whose opening batch did not call referral_create (the
    /// console): the same function, rules and writes as the endpoint, one statement later.
    /// </summary>
    public static async Task<InvitationOutcome> InviteAsync(TenantSession session, Request req, IPAddress? remote, ReferralOptions limits, CancellationToken ct)
    {
        var (email, ip) = Parties(req, remote);
        var code = ReferralCode.New();
        InvitationOpened? opened;
        try
        {
            await using var command = session.CreateCommand(CreateSql);
            command.Parameters.AddRange(CreateParameters(req, email, ip, code, limits));
            await using var reader = await command.ExecuteReaderAsync(ct);
            opened = await ReadOpeningAsync(reader, code, ct);
        }
        catch (PostgresException ex) when (LimitOutcome(ex, []) is { } limit)
        {
            await session.RollbackAfterFailureAsync();
            return limit;
        }

        return opened is null
            ? throw new InvalidOperationException("referral_create answered no row: the caller has no profile.")
            : await CompleteAsync(session, req, opened, email, ip, limits, ct);
    }

    /// <summary>Weighs what referral_create answered and stores a flagged referral when the rules allow it.</summary>
    public static async Task<InvitationOutcome> CompleteAsync(TenantSession session, Request req, InvitationOpened answer,
        string email, IPAddress? ip, ReferralOptions limits, CancellationToken ct)
    {
        if (answer.ReferralId is { } storedId)
        {
            // No rule spoke against it: stored by referral_create.
            return Created(new InvitationOutcome.Created(storedId, answer.Status!, answer.Code, answer.Tier, [], 0m, Flagged: false));
        }

        if (answer.CodesThisHour >= limits.CodesPerHour)
        {
            return new InvitationOutcome.CodesPerHour();
        }

        if (answer.AlreadyReferred)
        {
            return new InvitationOutcome.AlreadyReferred();
        }

        var reasons = Assess(answer.Reasons);
        var score = FraudRules.Score(reasons);
        if (score > FraudRules.RejectAbove)
        {
            ReferralTelemetry.CountByRule(ReferralTelemetry.Rejected, reasons);
            return new InvitationOutcome.Rejected(reasons, score);
        }

        var flagged = score > FraudRules.FlagAbove;
        if (flagged)
        {
            ReferralTelemetry.CountByRule(ReferralTelemetry.Flagged, reasons);
        }

        try
        {
            var (id, status, code) = await InsertReferralAsync(session, req, email, score, reasons, flagged, ip, ct);
            return Created(new InvitationOutcome.Created(id, status, code, answer.Tier, reasons, score, flagged));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Referred in another organization meanwhile (invisible to this tenant): first touch wins.
            await session.RollbackAfterFailureAsync();
            return new InvitationOutcome.AlreadyReferred();
        }
        catch (PostgresException ex) when (LimitOutcome(ex, reasons) is { } limit)
        {
            // Concurrent requests took the last units of a limit after the signals were read.
            await session.RollbackAfterFailureAsync();
            return limit;
        }
    }

    /// <summary>
    /// The outcome of a limit counter of 20250901300001 refusing the write (its constraint names the rule):
    /// concurrent requests took its last units after the signals were read; null for any other error.
    /// </summary>
    public static InvitationOutcome? LimitOutcome(PostgresException exception, IReadOnlyList<string> reasons)
    {
        if (exception.SqlState != PostgresErrorCodes.CheckViolation)
        {
            return null;
        }

        var limit = exception.ConstraintName switch
        {
            "codes_per_hour" => CodesPerHourReason,
            "referrals_per_referrer_per_day" => FraudRules.ReferrerDailyLimit,
            "referrals_per_ip_per_day" => FraudRules.IpDailyLimit,
            _ => null,
        };
        if (limit is null)
        {
            return null;
        }

        if (limit == CodesPerHourReason)
        {
            return new InvitationOutcome.CodesPerHour();
        }

        var all = reasons.Append(limit).Distinct().ToList();
        ReferralTelemetry.CountByRule(ReferralTelemetry.Rejected, all);
        return new InvitationOutcome.Rejected(all, FraudRules.Score(all));
    }

    /// <summary>The reason a codes-per-hour refusal names.</summary>
    public static string CodesPerHourRule => CodesPerHourReason;

    private static InvitationOutcome.Created Created(InvitationOutcome.Created created)
    {
        ReferralTelemetry.CodesCreated.Add(1);
        return created;
    }

    private static IReadOnlyList<string> Assess(IReadOnlyList<string> reasons)
    {
        using var activity = ReferralTelemetry.Source.StartActivity("referral fraud check");
        activity?.SetTag("wedsync.referral.fraud_reasons", string.Join(",", reasons));
        return reasons;
    }

    private static NpgsqlParameter[] CreateParameters(Request req, string email, IPAddress? ip, string code, ReferralOptions limits) =>
    [
        new NpgsqlParameter("email", email),
        new NpgsqlParameter("ip", NpgsqlTypes.NpgsqlDbType.Inet) { Value = (object?)ip ?? DBNull.Value },
        new NpgsqlParameter("code", code),
        new NpgsqlParameter("referrerType", req.ReferrerType ?? "supplier"),
        new NpgsqlParameter("rewardType", req.RewardType ?? "credit"),
        new NpgsqlParameter("codesPerHour", limits.CodesPerHour),
        new NpgsqlParameter("perReferrerPerDay", limits.ReferralsPerReferrerPerDay),
        new NpgsqlParameter("perIpPerDay", limits.ReferralsPerIpPerDay),
        new NpgsqlParameter("minimumAccountAge", TimeSpan.FromDays(FraudRules.MinimumAccountAgeDays)),
    ];

    /// <summary>Stores code and referral in one round trip per drawn code; the tier was read by referral_create.</summary>
    private static async Task<(Guid Id, string Status, string Code)> InsertReferralAsync(TenantSession session, Request req, string email,
        decimal score, IReadOnlyList<string> reasons, bool flagged, IPAddress? ip, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= CodeAttempts; attempt++)
        {
            var code = ReferralCode.New();
            await using var command = session.CreateCommand(InsertReferralSql);
            command.Parameters.Add(new NpgsqlParameter("org", session.Caller.OrganizationId!.Value));
            command.Parameters.Add(new NpgsqlParameter("user", session.Caller.UserId!.Value));
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
                return (reader.GetGuid(0), reader.GetString(1), code);
            }
        }

        // 36^8 codes: five collisions in a row means something other than chance.
        throw new InvalidOperationException($"No free referral code after {CodeAttempts} attempts.");
    }
}
