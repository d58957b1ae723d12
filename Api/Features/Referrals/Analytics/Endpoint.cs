using FastEndpoints;
using Npgsql;
using WedSync.Api.Features.Referrals.Shared;
using WedSync.Api.Platform.Problems;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Analytics;

/// <summary>The organization's viral loop over a period, for its owners and admins.</summary>
public sealed class Endpoint : TenantEndpoint<Request, Response>
{
    // Every count is bounded by organization and time, on the (organization_id, created_at|occurred_at) indexes.
    private const string TotalsSql = """
        SELECT
            (SELECT count(*) FROM user_profiles WHERE organization_id = (SELECT app.current_organization_id())),
            (SELECT count(*) FROM referrals WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= @from AND created_at < @until),
            (SELECT count(*) FROM referral_conversions WHERE organization_id = (SELECT app.current_organization_id()) AND event = 'subscribed'
                AND occurred_at >= @from AND occurred_at < @until),
            (SELECT count(DISTINCT user_id) FROM referral_share_events WHERE organization_id = (SELECT app.current_organization_id())
                AND created_at >= @from AND created_at < @until)
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
        SELECT days.day, coalesce(invites.n, 0), coalesce(shares.n, 0), coalesce(clicks.n, 0),
               coalesce(conversions.signups, 0), coalesce(conversions.subscribed, 0)
        FROM days
        LEFT JOIN invites USING (day) LEFT JOIN shares USING (day) LEFT JOIN clicks USING (day) LEFT JOIN conversions USING (day)
        ORDER BY days.day
        """;

    private const string ChannelsSql = """
        SELECT share_type, platform, count(*) AS n
        FROM referral_share_events
        WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= @from AND created_at < @until
        GROUP BY share_type, platform
        ORDER BY n DESC, share_type, platform
        LIMIT 5
        """;

    public override void Configure()
    {
        Get("/referrals/analytics");
        Summary(s =>
        {
            s.Summary = "The organization's viral coefficient, sharing and conversion rates, daily series and top channels";
            s.Description = "Org owners and admins only. K = (invites ÷ users) × (conversions ÷ invites); days are UTC, to is inclusive.";
            s.Responses[StatusCodes.Status403Forbidden] = "The caller is not an owner or admin of the organization.";
        });
    }

    protected override async Task HandleInSessionAsync(Request req, CancellationToken ct)
    {
        if (!ReferralAccess.MayReadOrganizationAnalytics(Caller))
        {
            await Send.ProblemAsync(StatusCodes.Status403Forbidden, "Referral analytics are for organization owners and admins.");
            return;
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var to = req.To ?? today;
        var from = req.From ?? to.AddDays(-29);
        await Send.OkAsync(await ReadAsync(Session, from, to, ct), ct);
    }

    /// <summary>
    /// The organization's loop over the UTC days from..to (inclusive), read in an open session; the
    /// operator console's Referrals page shows the same series and channels. The caller's org-admin
    /// check is the caller's to make (the endpoint answers 403, the console its 403 page).
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
            (users, invites, conversions, sharers) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                daily.Add(new Day(DateOnly.FromDateTime(reader.GetDateTime(0)), reader.GetInt64(1), reader.GetInt64(2),
                    reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                channels.Add(new Channel(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
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
