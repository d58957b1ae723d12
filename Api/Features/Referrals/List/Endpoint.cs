using FastEndpoints;
using Npgsql;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.List;

/// <summary>The caller's own referrals, newest first.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    private const string Sql = """
        SELECT r.id, c.code, r.referred_email, r.status, r.reward_type, r.referrer_type, r.fraud_score,
               r.fraud_reasons, r.flagged_for_review, r.created_at, r.expires_at, count(*) OVER ()
        FROM referrals r
        JOIN referral_codes c ON c.id = r.referral_code_id
        WHERE r.organization_id = (SELECT app.current_organization_id())
          AND r.referrer_user_id = (SELECT app.current_user_id())
          AND (@status::text IS NULL OR r.status = @status)
        ORDER BY r.created_at DESC, r.id
        LIMIT @limit OFFSET @offset
        """;

    public override void Configure()
    {
        Get("/referrals");
        Summary(s =>
        {
            s.Summary = "The caller's referrals";
            s.Description = "Filtered by status, paged with page and pageSize (at most 100); total counts all matches.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        var (items, total) = await ReadAsync(Session, req.Status, req.PageSize, req.RowsBefore(), ct);
        await Send.OkAsync(new Response(items, req.Page, req.PageSize, total), ct);
    }

    /// <summary>
    /// The caller's referrals (of one status, or all when null), newest first, limit after offset rows,
    /// with the count of all matches; read in an open session, so the operator console lists the same rows.
    /// </summary>
    public static async Task<(IReadOnlyList<Referral> Items, long Total)> ReadAsync(
        TenantSession session, string? status, int limit, long offset, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("offset", offset);
        var items = new List<Referral>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new Referral(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.GetDecimal(6), reader.GetFieldValue<string[]>(7),
                    reader.GetBoolean(8), reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10)));
                total = reader.GetInt64(11);
            }
        }

        return (items, total);
    }
}
