using Npgsql;
using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Referrals.Cohorts;

/// <summary>The cohort query and its mapping (by column name), read by GET /api/referrals/cohorts and the console's Referrals page.</summary>
public static class Data
{
    // A referrer's cohort is the UTC month of their first referral in the organization; every month of the range is
    // present (generate_series), empty ones with zeros. Reads the (organization_id, referrer_user_id, ...) index.
    private const string Sql = """
        WITH months AS (
            SELECT m::date AS month FROM generate_series(@from::date, @to::date, interval '1 month') m
        ), referrers AS (
            SELECT f.referrer_user_id, date_trunc('month', min(f.created_at) AT TIME ZONE 'UTC')::date AS cohort
            FROM referrals f
            WHERE f.organization_id = (SELECT app.current_organization_id()) AND f.referrer_user_id IS NOT NULL
            GROUP BY f.referrer_user_id
        ), cohorts AS (
            SELECT r.cohort, count(DISTINCT r.referrer_user_id) AS referrers, count(*) AS invites,
                   count(*) FILTER (WHERE f.status IN ('signed_up', 'converted')) AS signups,
                   count(*) FILTER (WHERE f.status = 'converted') AS conversions
            FROM referrers r
            JOIN referrals f ON f.organization_id = (SELECT app.current_organization_id()) AND f.referrer_user_id = r.referrer_user_id
            WHERE r.cohort BETWEEN @from::date AND @to::date
            GROUP BY r.cohort
        )
        SELECT months.month, coalesce(c.referrers, 0) AS referrers, coalesce(c.invites, 0) AS invites,
               coalesce(c.signups, 0) AS signups, coalesce(c.conversions, 0) AS conversions
        FROM months LEFT JOIN cohorts c ON c.cohort = months.month
        ORDER BY months.month
        """;

    /// <summary>The cohorts of the caller's organization, months from..to (first days), in an open session; the caller checks access.</summary>
    public static async Task<Response> ReadAsync(TenantSession session, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var command = session.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.Date) { Value = from });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.Date) { Value = to });
        var cohorts = new List<Cohort>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        var (month, referrers, invites, signups, conversions) = (reader.GetOrdinal("month"), reader.GetOrdinal("referrers"),
            reader.GetOrdinal("invites"), reader.GetOrdinal("signups"), reader.GetOrdinal("conversions"));
        while (await reader.ReadAsync(ct))
        {
            cohorts.Add(Of(reader.GetFieldValue<DateOnly>(month), reader.GetInt64(referrers), reader.GetInt64(invites),
                reader.GetInt64(signups), reader.GetInt64(conversions)));
        }

        return new Response(Month.Format(from), Month.Format(to), "UTC", cohorts);
    }

    /// <summary>K = (invites ÷ referrers) × (conversions ÷ invites), rates to four places; 0 where a denominator is 0.</summary>
    public static Cohort Of(DateOnly month, long referrers, long invites, long signups, long conversions)
    {
        var perReferrer = Ratio(invites, referrers);
        var conversionRate = Ratio(conversions, invites);
        return new Cohort(Month.Format(month), referrers, invites, signups, conversions,
            Math.Round(perReferrer, 4), Math.Round(conversionRate, 4), Math.Round(perReferrer * conversionRate, 4));
    }

    private static decimal Ratio(long part, long whole) => whole == 0 ? 0 : (decimal)part / whole;
}
