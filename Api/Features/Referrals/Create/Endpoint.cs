using System.Globalization;
using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Create;

/// <summary>
/// Invites someone through <see cref="Invitation"/> (the console's Referrals page calls it too). Here
/// <c>referral_create</c> rides in the session's opening batch: a clean referral costs the opening round
/// trip and the commit. The limits (codes per UTC hour, referrals per referrer and per client network per
/// UTC day) are enforced by the database while it writes: each write takes a unit of its counter rows
/// under their row lock (20250901300001), so concurrent requests can never pass a limit together.
/// </summary>
public sealed class Endpoint(IOptions<ReferralOptions> options) : TenantEndpoint<Request, Response>
{
    private InvitationOpened? opened;

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
        var (email, ip) = Invitation.Parties(req, HttpContext.Connection.RemoteIpAddress);
        var answer = opened ?? throw new InvalidOperationException("referral_create was not called with the session.");
        await SendAsync(req, await Invitation.CompleteAsync(Session, req, answer, email, ip, options.Value, ct), ct);
    }

    /// <summary>
    /// referral_create found the limits open, but concurrent requests took their last units before its
    /// write did (the counter refused): the same answers as a limit read before the write.
    /// </summary>
    protected override async Task<bool> AnswerOpeningFailureAsync(PostgresException exception)
    {
        if (Invitation.LimitOutcome(exception, []) is { } limit)
        {
            await SendAsync(new Request(), limit, CancellationToken.None);
            return true;
        }

        return false;
    }

    private Task SendAsync(Request req, InvitationOutcome outcome, CancellationToken ct) => outcome switch
    {
        InvitationOutcome.Created created => SendCreatedAsync(req, created, ct),
        InvitationOutcome.CodesPerHour => SendCodesPerHourAsync(),
        InvitationOutcome.AlreadyReferred => Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status409Conflict,
            "This person has already been referred; the first referral counts.", [FraudRules.AlreadyReferred])),
        InvitationOutcome.Rejected rejected => Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status422UnprocessableEntity,
            $"The referral was rejected by the fraud rules: {string.Join(", ", rejected.Reasons)}.", rejected.Reasons, rejected.Score)),
        _ => throw new InvalidOperationException($"Unknown invitation outcome {outcome}."),
    };

    private async Task SendCreatedAsync(Request req, InvitationOutcome.Created created, CancellationToken ct)
    {
        var tier = created.Tier;
        var rewardType = req.RewardType ?? "credit";
        var response = new Response(
            created.ReferralId,
            created.Code,
            options.Value.ShareLink(HttpContext.Request, created.Code),
            new RewardDetails(rewardType, tier.RefereeSignupCents, tier.Currency,
                $"Your friend gets {Money(tier.RefereeSignupCents, tier.Currency)} {rewardType} on signup; you get {Money(tier.ReferrerSignupCents, tier.Currency)}."),
            created.Status,
            created.Reasons.Count > 0 ? new FraudReview(created.Flagged, created.Score, created.Reasons) : null);
        await Send.ResponseAsync(response, StatusCodes.Status201Created, ct);
    }

    /// <summary>429 until the next UTC clock hour, when the code counter starts again.</summary>
    private Task SendCodesPerHourAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var nextHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
        HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((nextHour - now).TotalSeconds))
            .ToString(CultureInfo.InvariantCulture);
        return Send.ResultAsync(ReferralProblems.RuleBroken(StatusCodes.Status429TooManyRequests,
            $"At most {options.Value.CodesPerHour} referral codes per UTC clock hour.", [Invitation.CodesPerHourRule]));
    }

    /// <summary>referral_create, called in the session's opening batch (one round trip for a clean referral).</summary>
    protected override OpeningQuery OpeningQueryFor(Request req)
    {
        var (email, ip) = Invitation.Parties(req, HttpContext.Connection.RemoteIpAddress);
        var code = ReferralCode.New();
        // No row when the caller has no profile: the base answers 403 before the handler runs.
        return new OpeningQuery(Invitation.OpeningCommand(req, email, ip, code, options.Value),
            async (reader, ct) => opened = await Invitation.ReadOpeningAsync(reader, code, ct));
    }

    private static string Money(int cents, string currency) => $"{cents / 100m:0.00} {currency}";
}
