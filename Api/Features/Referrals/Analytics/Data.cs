using Npgsql;
using WedSync.Api.Platform.Database;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Analytics;

/// <summary>The organization's loop over a period: the SQL and its mapping by column name, for GET /api/referrals/analytics and the console's Referrals page.</summary>
public static class Data
{
    // Every count is bounded by organization and time, on the (organization_id, created_at|occurred_at) indexes.
    private const string TotalsSql = """
        SELECT
            (SELECT count(*) FROM user_profiles WHERE organization_id = (SELECT app.current_organization_id())) AS users,
            (SELECT count(*) FROM referrals WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= @from AND created_at < @until) AS invites,
            (SELECT count(*) FROM referral_conversions WHERE organization_id = (SELECT app.current_organization_id()) AND event = 'subscribed'
                AND occurred_at >= @from AND occurred_at < @until) AS conversions,
            (SELECT count(DISTINCT user_id) FROM referral_share_events WHERE organization_id = (SELECT app.current_organization_id())
                AND created_at >= @from AND created_at < @until) AS sharers
        """;

    // Days are UTC days whatever the session's TimeZone: a bare ::date would bucket by the server's zone.
    private const string DailySql = """
        WITH days AS (SELECT d::date AS day FROM generate_series(@fromDay::date, @toDay::date, interval '1 day') d),
        invites AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM referrals
                    WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= @from AND created_at < @until GROUP BY 1),
        shares AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM referral_share_events
                   WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= @from AND created_at < @until GROUP BY 1),
        clicks AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM referral_clicks
                   WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= @from AND created_at < @until GROUP BY 1),
        conversions AS (SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, count(*) FILTER (WHERE event = 'signed_up') AS signups,
                               count(*) FILTER (WHERE event = 'subscribed') AS subscribed
                        FROM referral_conversions
                        WHERE organization_id = (SELECT app.current_organization_id()) AND occurred_at >= @from AND occurred_at < @until GROUP BY 1)
        SELECT days.day, coalesce(invites.n, 0) AS invites, coalesce(shares.n, 0) AS shares, coalesce(clicks.n, 0) AS clicks,
               coalesce(conversions.signups, 0) AS signups, coalesce(conversions.subscribed, 0) AS conversions
        FROM days
        LEFT JOIN invites USING (day) LEFT JOIN shares USING (day) LEFT JOIN clicks USING (day) LEFT JOIN conversions USING (day)
        ORDER BY days.day
        """;

    private const string ChannelsSql = """
        SELECT share_type, platform, count(*) AS shares
        FROM referral_share_events
        WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= @from AND created_at < @until
        GROUP BY share_type, platform
        ORDER BY shares DESC, share_type, platform
        LIMIT 5
        """;

    /// <summary>
    /// The organization's loop over the UTC days from..to (inclusive), read in an open session. The caller's
    /// access check is the caller's to make (<see cref="Shared.ReferralAccess"/>).
    /// </summary>
    public static async Task<Response> ReadAsync(TenantSession session, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var fromAt = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var untilAt = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        // The three statements in one round trip.
        await using var batch = session.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(TotalsSql)
        {
            Parameters = { new NpgsqlParameter("from", fromAt), new NpgsqlParameter("until", untilAt) },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(DailySql)
        {
            Parameters =
            {
                new NpgsqlParameter("fromDay", from),
                new NpgsqlParameter("toDay", to),
                new NpgsqlParameter("from", fromAt),
                new NpgsqlParameter("until", untilAt),
            },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ChannelsSql)
        {
            Parameters = { new NpgsqlParameter("from", fromAt), new NpgsqlParameter("until", untilAt) },
        });

        long users, invites, conversions, sharers;
        var daily = new List<Day>();
        var channels = new List<Channel>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (users, invites, conversions, sharers) = (reader.Get<long>("users"), reader.Get<long>("invites"), reader.Get<long>("conversions"), reader.Get<long>("sharers"));

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                daily.Add(new Day(reader.Get<DateOnly>("day"), reader.Get<long>("invites"), reader.Get<long>("shares"),
                    reader.Get<long>("clicks"), reader.Get<long>("signups"), reader.Get<long>("conversions")));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                channels.Add(new Channel(reader.Get<string>("share_type"), reader.GetOrNull<string>("platform"), reader.Get<long>("shares")));
            }
        }

        return new Response(from, to, users, invites, conversions,
            ViralCoefficient: Ratio(invites, users) * Ratio(conversions, invites),
            SharingRate: Round(Ratio(sharers, users)),
            ConversionRate: Round(Ratio(conversions, invites)),
            daily, channels);
    }

    private static decimal Ratio(long part, long whole) => whole == 0 ? 0 : (decimal)part / whole;

    private static decimal Round(decimal value) => Math.Round(value, 4);
}
