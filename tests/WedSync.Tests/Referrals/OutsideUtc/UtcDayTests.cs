using System.Globalization;
using System.Text.Json;
using Npgsql;
using WedSync.Tests.Api.Support;

namespace WedSync.Tests.Referrals.OutsideUtc;

/// <summary>
/// Issue 16, kind 3: the platform's days are UTC days whatever the server's TimeZone. Each test runs
/// where the session's date is not UTC's; on the old ::date/current_date/date_trunc('day') code each fails.
/// </summary>
[Collection(OutsideUtcCollection.Name)]
public sealed class UtcDayTests(OutsideUtcFixture fixture)
{
    /// <summary>The example: a referral created now counts in the total and in today's (UTC) bucket.</summary>
    [Fact]
    public async Task Analytics_puts_a_referral_made_now_in_todays_utc_bucket()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await scenario.ReferOkAsync(owner, ReferralScenario.NewEmail());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        using var response = await fixture.Api.GetAsync(
            $"/api/referrals/analytics?from={today.AddDays(-2):yyyy-MM-dd}&to={today:yyyy-MM-dd}", owner.Token());

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var analytics = JsonDocument.Parse(body).RootElement;
        Assert.Equal(1, analytics.GetProperty("invites").GetInt64());
        var days = analytics.GetProperty("daily").EnumerateArray()
            .ToDictionary(d => d.GetProperty("date").GetString()!, d => d.GetProperty("invites").GetInt64());
        Assert.Equal(3, days.Count);
        Assert.Equal(1, days[today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]);
        Assert.Equal(1, days.Values.Sum());
    }

    /// <summary>
    /// The referrer's daily limit counts the UTC day, not the session's (the shape of a public fix,
    /// KanishJebaMathewM/Truxify#11836: a daily cap on date_trunc('day', now()) reset at the server's
    /// midnight). Ten referrals sit in the part of a day where the UTC day and the session's day differ.
    /// </summary>
    [Fact]
    public async Task The_referrers_daily_limit_counts_the_utc_day()
    {
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        // Ahead of UTC (UTC+14): 00:01 UTC is today in UTC but yesterday in the session, so the limit is
        // reached. Behind (UTC-12): 23:59 UTC yesterday is today in the session but not in UTC, so it is not.
        var ahead = fixture.TimeZone == "Etc/GMT-14";
        var at = ahead ? "date_trunc('day', now(), 'UTC') + interval '1 minute'" : "date_trunc('day', now(), 'UTC') - interval '1 minute'";
        await fixture.ExecuteAsync(
            $"""
            WITH code AS (INSERT INTO referral_codes (organization_id, user_id, code, created_at)
                          SELECT @org, @u, upper(substr(md5(gen_random_uuid()::text), 1, 10)), {at} FROM generate_series(1, 10) RETURNING id, created_at)
            INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referred_email, created_at)
            SELECT @org, code.id, @u, 'early-' || gen_random_uuid() || '@test.invalid', code.created_at FROM code
            """, ("org", scenario.Organization.Id), ("u", owner.UserId));

        using var response = await scenario.ReferAsync(owner, ReferralScenario.NewEmail());

        if (ahead)
        {
            var problem = await response.AssertProblemAsync(422);
            Assert.Contains("referrer_daily_limit", problem.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        }
        else
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
    }

    /// <summary>WS-168: a score without a date is today's UTC score, and "today" for milestones is UTC's.</summary>
    [Fact]
    public async Task Health_score_of_today_is_dated_by_utc_in_any_session_time_zone()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER");
        await using var connection = await OpenInZoneAsync();

        await using var command = new NpgsqlCommand(
            "SELECT (calculate_customer_health_score(@org)).score_date, (now() AT TIME ZONE 'UTC')::date, current_date", connection);
        command.Parameters.AddWithValue("org", organization.Id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();

        var (scoreDate, utcToday, sessionToday) = (reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1), reader.GetFieldValue<DateOnly>(2));
        // The session's date really is another one, or the test proves nothing.
        Assert.NotEqual(utcToday, sessionToday);
        Assert.Equal(utcToday, scoreDate);
    }

    /// <summary>WS-167 (found while fixing WS-168): a trial's active days are counted by UTC day.</summary>
    [Fact]
    public async Task Trial_active_days_are_utc_days_in_any_session_time_zone()
    {
        var organization = await TestOrganization.CreateAsync(fixture, "OWNER");
        await using var connection = await OpenInZoneAsync();
        // 23:30 and 00:30 UTC: two UTC days, but one day in UTC-12 and in UTC+14 alike.
        await using var command = new NpgsqlCommand(
            """
            WITH t AS (
                INSERT INTO trials (organization_id, started_at, ends_at, plan_price_cents)
                VALUES (@org, now() - interval '5 days', now() + interval '9 days', 4900) RETURNING id, organization_id),
            a AS (
                INSERT INTO trial_activities (organization_id, trial_id, activity_type, occurred_at)
                SELECT t.organization_id, t.id, 'login', d.day
                FROM t, (VALUES (date_trunc('day', now(), 'UTC') - interval '2 days' - interval '30 minutes'),
                                (date_trunc('day', now(), 'UTC') - interval '2 days' + interval '30 minutes')) d (day)
                RETURNING trial_id)
            SELECT count(*) FROM a
            """, connection);
        command.Parameters.AddWithValue("org", organization.Id);
        await command.ExecuteScalarAsync();

        await using var roi = new NpgsqlCommand("SELECT r.active_days FROM trials t, trial_roi(t.id) r WHERE t.organization_id = @org", connection);
        roi.Parameters.AddWithValue("org", organization.Id);
        Assert.Equal(2, (int)(await roi.ExecuteScalarAsync())!);
    }

    private async Task<NpgsqlConnection> OpenInZoneAsync()
    {
        var connection = fixture.OpenDatabase();
        await using var set = new NpgsqlCommand($"SET TIME ZONE '{fixture.TimeZone}'", connection);
        await set.ExecuteNonQueryAsync();
        return connection;
    }
}
