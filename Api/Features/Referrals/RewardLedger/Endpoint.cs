using FastEndpoints;
using Npgsql;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.RewardLedger;

/// <summary>One reward of the caller's organization (or any, for services) and its ledger, oldest entry first.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string Sql = """
        SELECT w.id, w.referral_id, w.side, w.trigger, w.reward_type, w.amount_cents, w.currency, w.beneficiary_user_id, w.state,
               w.wait_reason, w.hold_until, w.fulfilment_requested_at, w.fulfilment_requests,
               l.id AS entry_id, l.transition, l.from_state, l.pending_cents, l.owed_cents, l.paid_cents, l.actor_role, l.actor_user_id,
               l.reason, l.created_at AS entry_at
        FROM referral_rewards w
        LEFT JOIN referral_reward_ledger l ON l.reward_id = w.id
        WHERE w.id = @id
        ORDER BY l.created_at, l.id
        """;

    public override void Configure()
    {
        Get("/referrals/rewards/{id}/ledger");
        Summary(s =>
        {
            s.Summary = "A reward, why it waits, and its ledger";
            s.Responses[StatusCodes.Status200OK] = "The reward and every ledger entry, oldest first.";
            s.Responses[StatusCodes.Status404NotFound] = "No reward with this id in the caller's organization.";
        });
    }

    protected override bool RequiresProfile => false;

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(Sql);
        command.Parameters.AddWithValue("id", req.Id);
        Response? reward = null;
        var entries = new List<LedgerEntry>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                reward ??= new Response(reader.GetGuid(reader.GetOrdinal("id")), reader.GetGuid(reader.GetOrdinal("referral_id")),
                    reader.GetString(reader.GetOrdinal("side")), reader.GetString(reader.GetOrdinal("trigger")), reader.GetString(reader.GetOrdinal("reward_type")),
                    reader.GetInt32(reader.GetOrdinal("amount_cents")), reader.GetString(reader.GetOrdinal("currency")).Trim(),
                    Nullable<Guid>(reader, "beneficiary_user_id"), reader.GetString(reader.GetOrdinal("state")), Text(reader, "wait_reason"),
                    Nullable<DateTimeOffset>(reader, "hold_until"), Nullable<DateTimeOffset>(reader, "fulfilment_requested_at"),
                    reader.GetInt32(reader.GetOrdinal("fulfilment_requests")), entries);
                if (!reader.IsDBNull(reader.GetOrdinal("entry_id")))
                {
                    entries.Add(new LedgerEntry(reader.GetGuid(reader.GetOrdinal("entry_id")), reader.GetString(reader.GetOrdinal("transition")),
                        Text(reader, "from_state"), reader.GetInt64(reader.GetOrdinal("pending_cents")), reader.GetInt64(reader.GetOrdinal("owed_cents")),
                        reader.GetInt64(reader.GetOrdinal("paid_cents")), reader.GetString(reader.GetOrdinal("actor_role")),
                        Nullable<Guid>(reader, "actor_user_id"), reader.GetString(reader.GetOrdinal("reason")),
                        reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal("entry_at"))));
                }
            }
        }

        if (reward is null)
        {
            await Send.ProblemAsync(StatusCodes.Status404NotFound, "No reward with this id in your organization.");
            return;
        }

        await Send.OkAsync(reward, ct);
    }

    private static T? Nullable<T>(NpgsqlDataReader reader, string column)
        where T : struct =>
        reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetFieldValue<T>(reader.GetOrdinal(column));

    private static string? Text(NpgsqlDataReader reader, string column) =>
        reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetString(reader.GetOrdinal(column));
}
