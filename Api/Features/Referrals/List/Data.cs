using Npgsql;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.List;

/// <summary>The caller's own referrals: the SQL and its mapping by column name, for GET /api/referrals and the console's Referrals page.</summary>
public static class Data
{
    private const string Sql = """
        SELECT r.id, c.code, r.referred_email, r.status, r.reward_type, r.referrer_type, r.fraud_score,
               r.fraud_reasons, r.flagged_for_review, r.created_at, r.expires_at, count(*) OVER () AS total
        FROM referrals r
        JOIN referral_codes c ON c.id = r.referral_code_id
        WHERE r.organization_id = (SELECT app.current_organization_id())
          AND r.referrer_user_id = (SELECT app.current_user_id())
          AND (@status::text IS NULL OR r.status = @status)
        ORDER BY r.created_at DESC, r.id
        LIMIT @limit OFFSET @offset
        """;

    /// <summary>
    /// The caller's referrals (of one status, or all when null), newest first, limit after offset rows,
    /// with the count of all matches; read in an open session.
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
                items.Add(new Referral(reader.Get<Guid>("id"), reader.Get<string>("code"), reader.Get<string>("referred_email"),
                    reader.Get<string>("status"), reader.Get<string>("reward_type"), reader.Get<string>("referrer_type"),
                    reader.Get<decimal>("fraud_score"), reader.Get<string[]>("fraud_reasons"), reader.Get<bool>("flagged_for_review"),
                    reader.Get<DateTimeOffset>("created_at"), reader.Get<DateTimeOffset>("expires_at")));
                total = reader.Get<long>("total");
            }
        }

        return (items, total);
    }
}
