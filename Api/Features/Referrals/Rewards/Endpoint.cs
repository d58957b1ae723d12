using FastEndpoints;
using Npgsql;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Rewards;

/// <summary>The rewards the caller receives, as referrer or as referee.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string Sql = """
        SELECT id, referral_id, side, trigger, tier, amount_cents, currency, status, created_at, granted_at, count(*) OVER ()
        FROM referral_rewards
        WHERE organization_id = (SELECT app.current_organization_id()) AND beneficiary_user_id = (SELECT app.current_user_id())
          AND (@status::text IS NULL OR status = @status)
        ORDER BY created_at DESC, id
        LIMIT @limit OFFSET @offset
        """;

    public override void Configure()
    {
        Get("/referrals/rewards");
        Summary(s => s.Summary = "The caller's rewards (amounts in cents)");
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        await using var command = Session.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)req.Status ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", req.PageSize);
        command.Parameters.AddWithValue("offset", req.RowsBefore());
        var items = new List<Reward>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new Reward(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetInt32(5), reader.GetString(6).Trim(), reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8),
                    reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
                total = reader.GetInt64(10);
            }
        }

        await Send.OkAsync(new Response(items, req.Page, req.PageSize, total), ct);
    }
}
