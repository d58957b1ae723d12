using FastEndpoints;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Refunds;

/// <summary>
/// A referred account refunded or cancelled (reported by WedSync's billing service): its referral's rewards
/// inside the organization's clawback window are revoked, or clawed back when already delivered (a
/// negative owed entry; nothing is deleted). Each reward is locked and moved once, so repeats change nothing.
/// </summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string Sql = """
        SELECT referral_id, reward_id, outcome, reward_state, entry_id
        FROM referral_refund_event(@user, @event, @at, @reason)
        """;

    public override void Configure()
    {
        Post("/referrals/refunds");
        Summary(s =>
        {
            s.Summary = "Revoke or claw back the rewards of a refunded or cancelled referred account (service callers only)";
            s.Description = "Rewards created within the organization's clawbackWindowDays (reward rules, 30 by default) before occurredAt are revoked "
                + "(pending or approved) or clawed back (fulfilled: the referrer's owed balance goes negative by the amount). Idempotent: the same event again answers already.";
            s.Responses[StatusCodes.Status200OK] = "What the event did to each reward of the referral.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not a service.";
            s.Responses[StatusCodes.Status404NotFound] = "No referral of this referred user, or it has no rewards.";
        });
    }

    protected override bool RequiresProfile => false;

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!Caller.IsService)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only WedSync's services report refunds.");
            return;
        }

        await using var command = Session.CreateCommand(Sql);
        command.Parameters.AddWithValue("user", req.ReferredUserId);
        command.Parameters.AddWithValue("event", req.Event);
        command.Parameters.AddWithValue("at", req.OccurredAt.ToUniversalTime());
        command.Parameters.Add(new Npgsql.NpgsqlParameter("reason", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)req.Reason ?? DBNull.Value });
        Guid? referral = null;
        var rewards = new List<RewardOutcome>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                referral = reader.GetGuid(reader.GetOrdinal("referral_id"));
                var entry = reader.GetOrdinal("entry_id");
                rewards.Add(new RewardOutcome(reader.GetGuid(reader.GetOrdinal("reward_id")), reader.GetString(reader.GetOrdinal("outcome")),
                    reader.GetString(reader.GetOrdinal("reward_state")), reader.IsDBNull(entry) ? null : reader.GetGuid(entry)));
            }
        }

        if (referral is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No referral of this referred user, or it has no rewards.");
            return;
        }

        await Send.OkAsync(new Response(referral.Value, rewards), ct);
    }
}
