using System.Text.Json;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Migrator.Drift;

/// <summary>
/// Issue 14, live-schema drift, with the real migrator binary on a fresh database: <c>up</c> records a
/// fingerprint per object, <c>verify</c> names what changed outside migrations and exits 4, and a
/// migration that makes the same change clears it.
/// </summary>
[Collection(AppHostParallelCollection.Name)]
public sealed class SchemaDriftTests(AppHostFixture fixture)
{
    // The example: a column and an index made by hand.
    [Fact]
    public async Task Hand_made_column_and_index_fail_verify_until_a_migration_makes_the_same_change()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var clean = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Contains("Schema drift: none", clean.StandardOutput);

        await DriftCalls.ExecuteAsync(database.ConnectionString, "ALTER TABLE referrals ADD COLUMN x int", "CREATE INDEX ix_referrals_x ON referrals (x)");

        var text = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(text.ExitCode == 4, text.Output);
        Assert.Contains("added column public.referrals.x", text.StandardOutput);
        Assert.Contains("now: integer null", text.StandardOutput);
        Assert.Contains("added index public.ix_referrals_x", text.StandardOutput);
        var drift = await VerifyJsonAsync(database.ConnectionString, expectedExitCode: 4);
        Assert.Equal([("column", "public.referrals.x", "added"), ("index", "public.ix_referrals_x", "added")], Triples(drift));

        var folder = TestScripts.Folder(DriftCalls.ReferralsXMigration);
        try
        {
            await DriftCalls.UpAsync(database.ConnectionString, $"--Migrations:AdditionalScriptsPath={folder}");

            var after = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify", $"--Migrations:AdditionalScriptsPath={folder}");
            Assert.True(after.ExitCode == 0, after.Output);
            Assert.Contains("Schema drift: none", after.StandardOutput);
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // More instances of the kind: a policy, a grant and a function body changed by hand, a trigger
    // disabled, an index dropped. A successful run records the schema as it is (and names what it accepts).
    [Fact]
    public async Task Policy_grant_function_trigger_and_dropped_index_are_named_and_a_run_records_them()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);

        await DriftCalls.ExecuteAsync(database.ConnectionString,
            "ALTER POLICY referrals_delete ON referrals USING (false)",
            "GRANT SELECT ON referrals TO PUBLIC",
            "CREATE OR REPLACE FUNCTION app.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
            "ALTER TABLE organizations DISABLE TRIGGER trg_organizations_updated_at",
            "DROP INDEX ix_referrals_code");

        var drift = await VerifyJsonAsync(database.ConnectionString, expectedExitCode: 4);
        Assert.Contains(("policy", "public.referrals.referrals_delete", "changed"), Triples(drift));
        Assert.Contains(("grant", "table public.referrals to PUBLIC", "added"), Triples(drift));
        Assert.Contains(("function", "app.set_updated_at()", "changed"), Triples(drift));
        Assert.Contains(("trigger", "public.organizations.trg_organizations_updated_at", "changed"), Triples(drift));
        Assert.Contains(("index", "public.ix_referrals_code", "dropped"), Triples(drift));
        var policy = drift.Single(d => d.Kind == "policy");
        Assert.Contains("using (false)", policy.Live);
        Assert.DoesNotContain("using (false)", policy.Recorded);
        Assert.Equal(5, drift.Count);

        var rerun = await MigratorProcess.RunAsync(database.ConnectionString, "up");
        Assert.True(rerun.ExitCode == 0, rerun.Output);
        Assert.Contains("policy public.referrals.referrals_delete changed outside migrations", rerun.Output);
        Assert.Empty(await VerifyJsonAsync(database.ConnectionString, expectedExitCode: 0));
    }

    // Instances other tools missed: `supabase db diff` saw neither an extra table, nor a DEFAULT added to
    // an existing column, nor a revoked GRANT (escentohq/escento#76); pg-schema-diff did not model routine
    // ACLs, so PUBLIC's implicit EXECUTE (proacl NULL) went unseen (stripe/pg-schema-diff#292).
    [Fact]
    public async Task Extra_table_added_default_revoked_grant_and_public_execute_are_drift()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);

        await DriftCalls.ExecuteAsync(database.ConnectionString,
            "CREATE TABLE public.drift_extra (id int)",
            "ALTER TABLE referrals ALTER COLUMN client_ip SET DEFAULT '127.0.0.1'",
            "REVOKE INSERT ON referrals FROM wedsync_user",
            "CREATE FUNCTION public.drift_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "GRANT EXECUTE ON FUNCTION app.claims() TO PUBLIC");

        var drift = Triples(await VerifyJsonAsync(database.ConnectionString, expectedExitCode: 4));
        Assert.Contains(("table", "public.drift_extra", "added"), drift);
        Assert.Contains(("column", "public.drift_extra.id", "added"), drift);
        Assert.Contains(("column", "public.referrals.client_ip", "changed"), drift);
        Assert.Contains(("grant", "table public.referrals to wedsync_user", "changed"), drift);
        Assert.Contains(("function", "public.drift_probe()", "added"), drift);
        // A new function's ACL is NULL, which means EXECUTE for PUBLIC: the grant shows.
        Assert.Contains(("grant", "function public.drift_probe() to PUBLIC", "added"), drift);
        Assert.Contains(("grant", "function app.claims() to PUBLIC", "added"), drift);
    }

    // What changes by itself is not drift: sequence values, statistics, temporary objects, partitions
    // the history sampler creates, data.
    [Fact]
    public async Task Data_sequence_values_temporary_tables_and_partitions_are_not_drift()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);

        await DriftCalls.ExecuteAsync(database.ConnectionString,
            "SELECT nextval(oid::regclass) FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace",
            "ANALYZE",
            "CREATE TEMP TABLE scratch (id int)",
            "CREATE TABLE monitoring_history.query_history_p29990101 PARTITION OF monitoring_history.query_history FOR VALUES FROM ('2999-01-01') TO ('2999-01-02')");

        var verify = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");
        Assert.True(verify.ExitCode == 0, verify.Output);
    }

    // plan's done-when: with two pending requests the schema, object by object, is what it was.
    [Fact]
    public async Task Plan_with_two_pending_requests_leaves_every_object_of_the_fingerprint_as_it_was()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var folder = TestScripts.Folder(
            ("29990101000000_ws991_referral_note.sql", "SET LOCAL lock_timeout = '5s';\nALTER TABLE referrals ADD COLUMN plan_note text;\n"),
            ("29990101000001_ws992_referral_index.sql", "CREATE INDEX IF NOT EXISTS ix_referrals_plan_note ON referrals (plan_note);\n"));
        try
        {
            var before = await DriftCalls.LiveFingerprintAsync(database.ConnectionString);

            var plan = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "plan", $"--Migrations:AdditionalScriptsPath={folder}");

            Assert.True(plan.ExitCode is 0 or 1, plan.Output);
            Assert.Contains("29990101000000_ws991_referral_note.sql", plan.StandardOutput);
            Assert.Contains("29990101000001_ws992_referral_index.sql", plan.StandardOutput);
            Assert.Equal(before, await DriftCalls.LiveFingerprintAsync(database.ConnectionString));
            Assert.Empty(await VerifyJsonAsync(database.ConnectionString, expectedExitCode: 0));
        }
        finally
        {
            AppHostFixture.TryDelete(folder);
        }
    }

    // The fingerprint is replaced whole or not at all: a run whose recording fails keeps the previous one
    // (and says so by its exit code), so verify still names the drift made before it.
    [Fact]
    public async Task A_failed_recording_keeps_the_previous_fingerprint_whole()
    {
        await using var database = await MigratorDatabase.CreateMigratedAsync(fixture);
        var recorded = await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.schema_objects");
        await DriftCalls.ExecuteAsync(database.ConnectionString,
            "ALTER TABLE referrals ADD COLUMN x int",
            "CREATE FUNCTION wedsync_migrations.refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'injected: recording refused'; END$$",
            "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON wedsync_migrations.schema_fingerprint FOR EACH ROW EXECUTE FUNCTION wedsync_migrations.refuse()");

        var (exitCode, output) = await MigratorProcess.RunAsync(database.ConnectionString, "up");

        Assert.True(exitCode == 7, output);
        Assert.Contains("injected: recording refused", output);
        Assert.Equal(recorded, await database.ScalarAsync("SELECT count(*) FROM wedsync_migrations.schema_objects"));
        Assert.Equal([("column", "public.referrals.x", "added")], Triples(await VerifyJsonAsync(database.ConnectionString, expectedExitCode: 4)));
    }

    [Fact]
    public async Task Verify_before_any_fingerprint_was_recorded_fails_and_says_to_run_up()
    {
        await using var database = await MigratorDatabase.CreateAsync(fixture);

        var verify = await MigratorProcess.RunCapturingStdoutAsync(database.ConnectionString, "verify");

        Assert.Equal(4, verify.ExitCode);
        Assert.Contains("no fingerprint recorded yet", verify.StandardOutput);
    }

    public sealed record Drifted(string Kind, string Name, string Change, string? Recorded, string? Live);

    private static async Task<IReadOnlyList<Drifted>> VerifyJsonAsync(string connectionString, int expectedExitCode)
    {
        var (exitCode, stdout, output) = await MigratorProcess.RunCapturingStdoutAsync(connectionString, "verify", "--json");
        Assert.True(exitCode == expectedExitCode, output);
        var drift = JsonDocument.Parse(stdout).RootElement.GetProperty("schemaDrift");
        Assert.Equal(JsonValueKind.String, drift.GetProperty("recordedAt").ValueKind);
        return drift.GetProperty("objects").EnumerateArray()
            .Select(o => new Drifted(o.GetProperty("kind").GetString()!, o.GetProperty("name").GetString()!, o.GetProperty("change").GetString()!,
                o.GetProperty("recorded").GetString(), o.GetProperty("live").GetString()))
            .ToList();
    }

    private static List<(string Kind, string Name, string Change)> Triples(IEnumerable<Drifted> drift) =>
        drift.Select(d => (d.Kind, d.Name, d.Change)).ToList();
}
