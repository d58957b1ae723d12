namespace WedSync.Tests.Migrator.Drift;

/// <summary>
/// Issue 23, kind 6: every object kind that changes behaviour is fingerprinted (a rule, an event trigger), and
/// what PostgreSQL may print in another order is normalised (storage options set in another order are no drift).
/// </summary>
[Collection(Infrastructure.AppHostParallelCollection.Name)]
public sealed class FingerprintCoverageTests(Infrastructure.AppHostFixture fixture)
{
    // The example: deletes now silently do nothing.
    [Fact]
    public async Task A_rule_made_by_hand_is_drift()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);

        await DriftCalls.ExecuteAsync(database.ConnectionString, "CREATE RULE referrals_keep AS ON DELETE TO public.referrals DO INSTEAD NOTHING");

        var drift = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(drift.ExitCode == 4, drift.Output);
        Assert.Contains("changed table public.referrals", drift.StandardOutput);
        Assert.Contains("DO INSTEAD NOTHING", drift.StandardOutput);
    }

    // Added instances: an event trigger made by hand (it runs on every DDL of every later migration; Supabase and
    // pganalyze users report ones left by extensions and tools) is drift, and disabling it is a change; storage
    // options set again in another order are not drift.
    [Fact]
    public async Task An_event_trigger_is_drift_and_options_in_another_order_are_not()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);
        await DriftCalls.ExecuteAsync(database.ConnectionString, "CREATE TABLE opts (id int) WITH (fillfactor = 90, autovacuum_enabled = false)");
        await DriftCalls.UpAsync(database.ConnectionString);
        await DriftCalls.ExecuteAsync(database.ConnectionString,
            "ALTER TABLE opts RESET (fillfactor, autovacuum_enabled)", "ALTER TABLE opts SET (autovacuum_enabled = false, fillfactor = 90)");
        var reordered = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(reordered.ExitCode == 0, reordered.Output);

        await DriftCalls.ExecuteAsync(database.ConnectionString,
            "CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE 'ddl'; END$$",
            "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION public.log_ddl()");
        var added = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(added.ExitCode == 4, added.Output);
        Assert.Contains("added trigger event trigger log_ddl", added.StandardOutput);
        Assert.Contains("when tag in ('ALTER TABLE', 'CREATE TABLE')", added.StandardOutput);

        await DriftCalls.UpAsync(database.ConnectionString);
        await DriftCalls.ExecuteAsync(database.ConnectionString, "ALTER EVENT TRIGGER log_ddl DISABLE");
        var disabled = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(disabled.ExitCode == 4, disabled.Output);
        Assert.Contains("changed trigger event trigger log_ddl", disabled.StandardOutput);
    }
}
