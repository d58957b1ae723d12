using FastEndpoints;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Balance;

/// <summary>A referrer's balances, the sums of their reward ledger.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string Sql = """
        SELECT l.currency, sum(l.pending_cents)::bigint AS pending, sum(l.owed_cents)::bigint AS owed, sum(l.paid_cents)::bigint AS paid,
               count(*)::integer AS entries
        FROM referral_reward_ledger l
        WHERE l.organization_id = (SELECT app.current_organization_id()) AND l.beneficiary_user_id = @user
        GROUP BY l.currency
        ORDER BY l.currency
        """;

    public override void Configure()
    {
        Get("/referrals/balance");
        Summary(s =>
        {
            s.Summary = "A referrer's reward balances, summed from the ledger";
            s.Description = "pendingCents: earned and waiting (hold, review); owedCents: approved and not yet delivered, negative when a delivered reward was clawed back; "
                + "paidCents: delivered. One entry per currency; none when the referrer has no rewards.";
            s.Responses[StatusCodes.Status200OK] = "The balances.";
            s.Responses[StatusCodes.Status403Forbidden] = "userId names someone else and the caller is not an OWNER or ADMIN.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var user = req.UserId ?? Caller.UserId!.Value;
        if (user != Caller.UserId && !Caller.IsOrgAdmin)
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Only an organization admin reads another member's balance.");
            return;
        }

        await using var command = Session.CreateCommand(Sql);
        command.Parameters.AddWithValue("user", user);
        var balances = new List<CurrencyBalance>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                balances.Add(new CurrencyBalance(reader.GetString(reader.GetOrdinal("currency")).Trim(), reader.GetInt64(reader.GetOrdinal("pending")),
                    reader.GetInt64(reader.GetOrdinal("owed")), reader.GetInt64(reader.GetOrdinal("paid")), reader.GetInt32(reader.GetOrdinal("entries"))));
            }
        }

        await Send.OkAsync(new Response(user, balances), ct);
    }
}
