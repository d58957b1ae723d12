using FastEndpoints;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.UpdateRewardRules;

/// <summary>Sets the organization's reward rules; they apply to rewards earned from now on and to pending ones the sweep decides.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Shared.RewardRules>
{
    private const string Sql = """
        INSERT INTO referral_reward_rules AS x (organization_id, hold_days, auto_approve_below_cents, review_flagged, clawback_window_days,
                                                spend_cap_cents, spend_cap_period, hold_kind, health_score_threshold, updated_at, updated_by)
        VALUES ((SELECT app.current_organization_id()), @hold, @below, @flagged, @window, @cap, @period, @kind, @threshold, now(),
                (SELECT app.current_user_id()))
        ON CONFLICT (organization_id) DO UPDATE SET
            hold_days = excluded.hold_days, auto_approve_below_cents = excluded.auto_approve_below_cents,
            review_flagged = excluded.review_flagged, clawback_window_days = excluded.clawback_window_days,
            spend_cap_cents = excluded.spend_cap_cents, spend_cap_period = excluded.spend_cap_period,
            hold_kind = excluded.hold_kind, health_score_threshold = excluded.health_score_threshold,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
        """;

    public override void Configure()
    {
        Put("/referrals/reward-rules");
        Summary(s =>
        {
            s.Summary = "Set the organization's reward rules (org admins)";
            s.Description = "The hold applies to rewards earned from now on; automatic approval, review and the cap apply whenever a pending reward is decided. "
                + "holdKind days: a reward waits holdDays only; first_wedding_delivered: after holdDays it also waits until the referred vendor's organization "
                + "has a completed wedding dated from their signup on; health_score: until that organization's latest customer health score (WS-168, 0 to 100) "
                + "is at least healthScoreThreshold. The reward sweep releases such holds when the condition holds.";
            s.Responses[StatusCodes.Status200OK] = "The rules as stored.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an OWNER or ADMIN.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!Caller.IsOrgAdmin)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an organization admin (OWNER or ADMIN) sets reward rules.");
            return;
        }

        await using (var command = Session.CreateCommand(Sql))
        {
            command.Parameters.AddWithValue("hold", req.HoldDays);
            command.Parameters.Add(new Npgsql.NpgsqlParameter("below", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)req.AutoApproveBelowCents ?? DBNull.Value });
            command.Parameters.AddWithValue("flagged", req.ReviewFlagged);
            command.Parameters.AddWithValue("window", req.ClawbackWindowDays);
            command.Parameters.Add(new Npgsql.NpgsqlParameter("cap", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)req.SpendCapCents ?? DBNull.Value });
            command.Parameters.AddWithValue("period", req.SpendCapPeriod);
            command.Parameters.AddWithValue("kind", req.HoldKind);
            command.Parameters.Add(new Npgsql.NpgsqlParameter("threshold", NpgsqlTypes.NpgsqlDbType.Smallint) { Value = (object?)(short?)req.HealthScoreThreshold ?? DBNull.Value });
            await command.ExecuteNonQueryAsync(ct);
        }

        await Send.OkAsync(await RewardRulesData.ReadAsync(Session, ct), ct);
    }
}
