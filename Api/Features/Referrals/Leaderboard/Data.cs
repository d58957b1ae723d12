using Npgsql;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Leaderboard;

/// <summary>The top referrers: the SQL and its mapping by column name, for GET /api/referrals/leaderboard and the console's Referrals page.</summary>
public static class Data
{
    private const int Size = 10;

    private const string Sql = """
        SELECT t.referrer_user_id, coalesce(p.display_name, '') AS display_name, t.conversions, t.referrals
        FROM (
            SELECT referrer_user_id, count(*) FILTER (WHERE status = 'converted') AS conversions, count(*) AS referrals
            FROM referrals
            WHERE organization_id = (SELECT app.current_organization_id()) AND referrer_user_id IS NOT NULL
              AND (@since::timestamptz IS NULL OR created_at >= @since)
            GROUP BY referrer_user_id
            ORDER BY conversions DESC, referrals DESC, referrer_user_id
            LIMIT @size
        ) t
        LEFT JOIN user_profiles p ON p.user_id = t.referrer_user_id
        ORDER BY t.conversions DESC, t.referrals DESC, t.referrer_user_id
        """;

    /// <summary>The top referrers since a time (all time when null), read in an open session.</summary>
    public static async Task<IReadOnlyList<Entry>> ReadAsync(TenantSession session, DateTimeOffset? since, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter("since", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)since ?? DBNull.Value });
        command.Parameters.AddWithValue("size", Size);
        var entries = new List<Entry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new Entry(entries.Count + 1, reader.Get<Guid>("referrer_user_id"), reader.Get<string>("display_name"),
                reader.Get<long>("conversions"), reader.Get<long>("referrals")));
        }

        return entries;
    }
}
