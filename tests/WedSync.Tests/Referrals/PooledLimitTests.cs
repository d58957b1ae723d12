using Npgsql;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Referrals;

/// <summary>
/// Issue 16, kind 1 behind a transaction-mode pooler: the limits rely only on transaction-scoped state
/// (row locks on the counter rows, limits stated with set_config(..., true)), so they hold when 20
/// clients share 3 server connections through a real PgBouncer. A session-scoped mechanism (a session
/// advisory lock, a limit left set on a server connection) would break or leak here.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class PooledLimitTests(AppHostFixture fixture)
{
    // The API's create path, in the API's own order: the session's role and claims, its limits, code and referral.
    private const string CreateSql = """
        SET LOCAL ROLE wedsync_user;
        SELECT set_config('request.jwt.claims', @claims, true),
               set_config('wedsync.referrals.codes_per_hour', '10', true),
               set_config('wedsync.referrals.per_referrer_per_day', '10', true),
               set_config('wedsync.referrals.per_ip_per_day', '5', true);
        WITH code AS (
            INSERT INTO referral_codes (organization_id, user_id, code)
            VALUES (app.current_organization_id(), app.current_user_id(), upper(substr(md5(gen_random_uuid()::text), 1, 12)))
            RETURNING id)
        INSERT INTO referrals (organization_id, referral_code_id, referrer_user_id, referred_email, client_ip)
        SELECT app.current_organization_id(), code.id, app.current_user_id(), @email, @ip::inet FROM code;
        """;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Twenty_clients_through_pgbouncer_transaction_pooling_create_exactly_the_limit()
    {
        Assert.True(File.Exists(PgBouncerProcess.Binary), "pgbouncer is not installed (.ci/run installs it)");
        var scenario = await ReferralScenario.CreateAsync(fixture);
        var owner = scenario.Organization["OWNER"];
        await using var bouncer = await PgBouncerProcess.StartAsync(fixture.DatabaseConnectionString, poolSize: 3);
        var through = bouncer.ClientConnectionString(fixture.DatabaseConnectionString);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            await using var connection = new NpgsqlConnection(through);
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand(CreateSql, connection, transaction);
            command.Parameters.AddWithValue("claims", $$"""{"sub":"{{owner.UserId}}"}""");
            command.Parameters.AddWithValue("email", ReferralScenario.NewEmail());
            command.Parameters.AddWithValue("ip", $"192.0.2.{i + 1}");
            try
            {
                await command.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
                return "created";
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation)
            {
                return ex.ConstraintName ?? "unnamed";
            }
        }));

        Assert.Equal(10, outcomes.Count(o => o == "created"));
        Assert.All(outcomes.Where(o => o != "created"), o => Assert.Contains(o, new[] { "codes_per_hour", "referrals_per_referrer_per_day" }));
        Assert.Equal(10L, await fixture.ExecuteAsync("SELECT count(*) FROM referrals WHERE referrer_user_id = @u", ("u", owner.UserId)));

        // Nothing stayed set on the shared server connections: a writer that states no limit is not refused.
        await using (var later = new NpgsqlConnection(through))
        {
            await later.OpenAsync();
            await using var check = new NpgsqlCommand("SELECT coalesce(current_setting('wedsync.referrals.codes_per_hour', true), '')", later);
            Assert.Equal("", await check.ExecuteScalarAsync());
        }
    }
}
