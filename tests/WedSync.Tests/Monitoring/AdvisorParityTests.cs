using System.Text.Json;
using WedSync.Tests.Infrastructure;
using WedSync.Tests.Referrals;

namespace WedSync.Tests.Monitoring;

/// <summary>
/// The advisor's checks at parity with Supabase's linter (splinter) and PgHero, each against objects
/// made for the test in the real database and read through the API as a platform admin: the example
/// of the issue, a second instance, and a near miss the check must leave alone.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class AdvisorParityTests(AppHostFixture fixture)
{
    /// <summary>Checks about sessions, not the catalog: other tests' connections may trip them.</summary>
    private static readonly string[] SessionChecks = ["long_running_query", "blocked_query", "idle_in_transaction"];

    [Fact]
    public async Task Security_definer_view_is_an_error_where_the_request_role_can_read_it_and_not_once_it_runs_as_the_invoker()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p}_t (id integer PRIMARY KEY);
            CREATE VIEW {p}_v AS SELECT id FROM {p}_t;
            GRANT SELECT ON {p}_v TO wedsync_user;
            CREATE VIEW {p}_ungranted AS SELECT id FROM {p}_t;
            CREATE SCHEMA {p}_hidden;
            CREATE VIEW {p}_hidden.v AS SELECT id FROM public.{p}_t;
            GRANT SELECT ON {p}_hidden.v TO wedsync_user;
            """);
        try
        {
            var before = await AdvisorAsync();
            Assert.Contains(Findings(before), f => f is { Check: "security_definer_view", Level: "error" } && f.Object == $"public.{p}_v");
            // No privilege on the view, or no USAGE on its schema: the request role cannot reach it.
            Assert.DoesNotContain(Findings(before), f => f.Check == "security_definer_view"
                && (f.Object == $"public.{p}_ungranted" || f.Object.StartsWith($"{p}_hidden.", StringComparison.Ordinal)));

            await fixture.ExecuteAsync($"ALTER VIEW {p}_v SET (security_invoker = on)");
            Assert.DoesNotContain(Findings(await AdvisorAsync()), f => f.Check == "security_definer_view" && f.Object.Contains(p, StringComparison.Ordinal));
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP SCHEMA IF EXISTS {p}_hidden CASCADE; DROP TABLE IF EXISTS {p}_t CASCADE;");
        }
    }

    /// <summary>Restrictive policies only narrow access: splinter#64 fixed counting them as permissive.</summary>
    [Fact]
    public async Task Several_permissive_policies_for_one_role_and_command_are_found_per_command_and_restrictive_ones_are_not()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p}_t (id integer PRIMARY KEY, organization_id uuid);
            ALTER TABLE {p}_t ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_tenant ON {p}_t FOR ALL TO wedsync_user
                USING (organization_id = (SELECT app.current_organization_id()));
            CREATE POLICY {p}_service ON {p}_t FOR SELECT TO wedsync_user USING ((SELECT app.is_service()));
            CREATE POLICY {p}_everyone_inserts ON {p}_t FOR INSERT TO PUBLIC
                WITH CHECK (organization_id = (SELECT app.current_organization_id()));
            CREATE POLICY {p}_narrow ON {p}_t AS RESTRICTIVE FOR UPDATE TO wedsync_user USING ((SELECT app.is_org_admin()));
            """);
        try
        {
            var found = Findings(await AdvisorAsync()).Where(f => f.Check == "multiple_permissive_policies" && f.Object.StartsWith($"public.{p}_t:", StringComparison.Ordinal)).ToList();
            // SELECT: the ALL policy and the SELECT policy; INSERT: the ALL policy and a PUBLIC one.
            Assert.Equal(new[] { $"public.{p}_t: INSERT for wedsync_user", $"public.{p}_t: SELECT for wedsync_user" }, found.Select(f => f.Object).Order(StringComparer.Ordinal));
            Assert.All(found, f => Assert.Equal("warn", f.Level));
            Assert.Contains($"{p}_service, {p}_tenant", found.Single(f => f.Object.Contains("SELECT", StringComparison.Ordinal)).Why, StringComparison.Ordinal);

            await fixture.ExecuteAsync($"DROP POLICY {p}_service ON {p}_t; DROP POLICY {p}_everyone_inserts ON {p}_t;");
            Assert.DoesNotContain(Findings(await AdvisorAsync()), f => f.Check == "multiple_permissive_policies" && f.Object.Contains(p, StringComparison.Ordinal));
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_t");
        }
    }

    [Fact]
    public async Task Security_definer_function_the_request_role_can_execute_is_found_through_public_and_through_a_grant()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"""
            CREATE FUNCTION {p}_definer(p_id integer) RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT p_id';
            CREATE FUNCTION {p}_invoker() RETURNS integer LANGUAGE sql SET search_path = pg_catalog AS 'SELECT 1';
            """);
        try
        {
            var viaPublic = Findings(await AdvisorAsync()).Single(f => f.Object.Contains(p, StringComparison.Ordinal));
            Assert.Equal(("definer_function_executable", "warn", $"public.{p}_definer(p_id integer)"), (viaPublic.Check, viaPublic.Level, viaPublic.Object));
            Assert.Contains("executable by PUBLIC", viaPublic.Why, StringComparison.Ordinal);

            await fixture.ExecuteAsync($"REVOKE EXECUTE ON FUNCTION {p}_definer(integer) FROM PUBLIC");
            Assert.DoesNotContain(Findings(await AdvisorAsync()), f => f.Object.Contains(p, StringComparison.Ordinal));

            await fixture.ExecuteAsync($"GRANT EXECUTE ON FUNCTION {p}_definer(integer) TO wedsync_user");
            var viaGrant = Findings(await AdvisorAsync()).Single(f => f.Object.Contains(p, StringComparison.Ordinal));
            Assert.Equal("definer_function_executable", viaGrant.Check);
            Assert.DoesNotContain("PUBLIC", viaGrant.Why, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP FUNCTION IF EXISTS {p}_definer(integer); DROP FUNCTION IF EXISTS {p}_invoker();");
        }
    }

    [Fact]
    public async Task Extension_in_public_is_found_and_our_pg_stat_statements_lives_in_its_own_schema_and_still_serves_query_stats()
    {
        // The catalog's own instance: the migrations moved pg_stat_statements out of public.
        Assert.Equal("extensions", await fixture.ExecuteAsync(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'"));
        await fixture.ExecuteAsync("SELECT 'parity query-stats probe'");
        var stats = await fixture.Api.GetFreshOkAsync("/api/monitoring/query-stats?top=100&orderBy=calls");
        Assert.NotEmpty(stats.GetProperty("items").EnumerateArray());
        Assert.NotEqual(JsonValueKind.Null, stats.GetProperty("statsResetAt").ValueKind);

        var before = Findings(await AdvisorAsync());
        Assert.DoesNotContain(before, f => f.Check == "extension_in_public");
        await fixture.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public");
        try
        {
            Assert.Contains(Findings(await AdvisorAsync()), f => f is { Check: "extension_in_public", Level: "warn", Object: "pg_trgm" });
            await fixture.ExecuteAsync("CREATE SCHEMA IF NOT EXISTS extensions; ALTER EXTENSION pg_trgm SET SCHEMA extensions");
            Assert.DoesNotContain(Findings(await AdvisorAsync()), f => f.Check == "extension_in_public");
        }
        finally
        {
            await fixture.ExecuteAsync("DROP EXTENSION IF EXISTS pg_trgm");
        }
    }

    [Fact]
    public async Task Policies_on_a_table_without_row_level_security_are_an_error_also_when_rls_was_switched_off_later()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p}_never (id integer PRIMARY KEY, organization_id uuid);
            CREATE POLICY {p}_tenant ON {p}_never USING (organization_id = (SELECT app.current_organization_id()));
            CREATE TABLE {p}_off (id integer PRIMARY KEY, organization_id uuid);
            ALTER TABLE {p}_off ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_tenant ON {p}_off USING (organization_id = (SELECT app.current_organization_id()));
            ALTER TABLE {p}_off DISABLE ROW LEVEL SECURITY;
            CREATE TABLE {p}_on (id integer PRIMARY KEY, organization_id uuid);
            ALTER TABLE {p}_on ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_tenant ON {p}_on USING (organization_id = (SELECT app.current_organization_id()));
            """);
        try
        {
            var found = Findings(await AdvisorAsync()).Where(f => f.Check == "policy_exists_rls_disabled" && f.Object.Contains(p, StringComparison.Ordinal)).ToList();
            Assert.Equal(new[] { $"public.{p}_never", $"public.{p}_off" }, found.Select(f => f.Object).Order(StringComparer.Ordinal));
            Assert.All(found, f => Assert.Equal("error", f.Level));

            var summary = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            Assert.Contains(summary.GetProperty("recommendations").EnumerateArray(), r => r.GetString()!.StartsWith($"public.{p}_off:", StringComparison.Ordinal));
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_never, {p}_off, {p}_on");
        }
    }

    /// <summary>Splinter 0024 compares the policy's text with 'true' and '1=1'; the tree is judged here instead.</summary>
    [Fact]
    public async Task Write_policies_that_are_always_true_are_found_however_the_constant_is_written()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p}_t (id integer PRIMARY KEY, organization_id uuid);
            ALTER TABLE {p}_t ENABLE ROW LEVEL SECURITY;
            CREATE POLICY {p}_insert ON {p}_t FOR INSERT TO wedsync_user WITH CHECK (true);
            CREATE POLICY {p}_update ON {p}_t FOR UPDATE TO wedsync_user USING (1 = 1);
            CREATE POLICY {p}_delete ON {p}_t FOR DELETE TO PUBLIC USING (NOT false AND 'a' = 'a');
            CREATE POLICY {p}_all ON {p}_t FOR ALL TO wedsync_user
                USING (organization_id = (SELECT app.current_organization_id())) WITH CHECK (true OR false);
            CREATE POLICY {p}_read ON {p}_t FOR SELECT TO wedsync_user USING (true);
            CREATE POLICY {p}_never ON {p}_t FOR DELETE TO wedsync_user USING (1 = 2);
            CREATE POLICY {p}_no_check ON {p}_t FOR INSERT TO wedsync_user;
            CREATE POLICY {p}_fails ON {p}_t FOR INSERT TO wedsync_user WITH CHECK (1 / 0 = 1);
            CREATE POLICY {p}_tenant ON {p}_t FOR UPDATE TO wedsync_user
                USING (organization_id = (SELECT app.current_organization_id())) WITH CHECK (organization_id IS NOT NULL);
            """);
        try
        {
            var found = Findings(await AdvisorAsync()).Where(f => f.Check == "policy_always_true" && f.Object.Contains(p, StringComparison.Ordinal)).ToList();
            Assert.Equal(
                new[] { "all", "delete", "insert", "update" }.Select(s => $"{p}_{s} on public.{p}_t"),
                found.Select(f => f.Object).Order(StringComparer.Ordinal));
            Assert.All(found, f => Assert.Equal("warn", f.Level));
            // An INSERT policy without WITH CHECK admits no row (splinter 0024 counts it as always true).
            Assert.DoesNotContain(found, f => f.Object.StartsWith($"{p}_no_check", StringComparison.Ordinal));
            // A constant that fails when evaluated is not judged (and does not fail the advisor).
            Assert.DoesNotContain(found, f => f.Object.StartsWith($"{p}_fails", StringComparison.Ordinal));
            // UPDATE without WITH CHECK checks its USING, so both are always true.
            Assert.Contains("USING and WITH CHECK always true", found.Single(f => f.Object.StartsWith($"{p}_update", StringComparison.Ordinal)).Why, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_t");
        }
    }

    [Fact]
    public async Task Index_left_invalid_by_a_failed_concurrent_build_is_found()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"CREATE TABLE {p}_t (id integer PRIMARY KEY, email text); INSERT INTO {p}_t VALUES (1, 'a@x.test'), (2, 'a@x.test');");
        try
        {
            // CONCURRENTLY cannot run in a transaction block, so it is a command of its own.
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => fixture.ExecuteAsync($"CREATE UNIQUE INDEX CONCURRENTLY {p}_email ON {p}_t (email)"));
            await fixture.ExecuteAsync($"CREATE INDEX {p}_ok ON {p}_t (email)");

            var found = Findings(await AdvisorAsync()).Where(f => f.Check == "invalid_index" && f.Object.Contains(p, StringComparison.Ordinal)).ToList();
            var invalid = Assert.Single(found);
            Assert.Equal(("warn", $"public.{p}_email on {p}_t"), (invalid.Level, invalid.Object));

            await fixture.ExecuteAsync($"DELETE FROM {p}_t WHERE id = 2");
            await fixture.ExecuteAsync($"REINDEX INDEX CONCURRENTLY {p}_email");
            Assert.DoesNotContain(Findings(await AdvisorAsync()), f => f.Check == "invalid_index" && f.Object.Contains(p, StringComparison.Ordinal));
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_t");
        }
    }

    [Fact]
    public async Task Table_bloat_is_estimated_from_statistics_after_most_rows_are_deleted()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p}_t (id integer PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now(), n integer);
            INSERT INTO {p}_t SELECT g, repeat('x', 80), now(), CASE WHEN g % 3 = 0 THEN NULL ELSE g END FROM generate_series(1, 150000) g;
            """);
        try
        {
            await fixture.ExecuteAsync($"ANALYZE {p}_t");
            // A full, freshly analyzed table is not bloated: the estimate must not cry wolf.
            Assert.DoesNotContain(Findings(await AdvisorAsync()), f => f.Check == "table_bloat" && f.Object.Contains(p, StringComparison.Ordinal));

            // Nine rows in ten deleted all over the table: VACUUM frees the space but cannot shrink the file.
            await fixture.ExecuteAsync($"DELETE FROM {p}_t WHERE id % 10 <> 0");
            await fixture.ExecuteAsync($"VACUUM (ANALYZE) {p}_t");
            var bloat = Assert.Single(Findings(await AdvisorAsync()), f => f.Check == "table_bloat" && f.Object.Contains(p, StringComparison.Ordinal));
            Assert.Equal(("info", $"public.{p}_t"), (bloat.Level, bloat.Object));
            Assert.Matches(@"about \d+ MB of \d+ MB \((8\d|9\d) %\) is free space", bloat.Why);
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_t");
        }
    }

    /// <summary>
    /// A deliberate definer view (splinter#98 asks for a way to accept one) is accepted by its comment, for
    /// that check and that object only: another check on it, or the same check on another view, still counts.
    /// </summary>
    [Fact]
    public async Task A_comment_in_the_catalog_accepts_a_finding_with_its_reason_and_keeps_it_out_of_counts_and_summary()
    {
        var p = Prefix();
        await fixture.ExecuteAsync($"""
            CREATE TABLE {p}_t (id integer PRIMARY KEY);
            CREATE VIEW {p}_accepted AS SELECT id FROM {p}_t;
            CREATE VIEW {p}_wrong_check AS SELECT id FROM {p}_t;
            CREATE VIEW {p}_open AS SELECT id FROM {p}_t;
            GRANT SELECT ON {p}_accepted, {p}_wrong_check, {p}_open TO wedsync_user;
            COMMENT ON VIEW {p}_accepted IS 'Totals for the dashboard.
            advisor: allow security_definer_view: reads only ids, and the test says so.';
            COMMENT ON VIEW {p}_wrong_check IS 'advisor: allow definer_function_executable: not the check this view trips';
            CREATE FUNCTION {p}_definer() RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT 1';
            COMMENT ON FUNCTION {p}_definer() IS 'advisor: allow definer_function_executable: called by the request role on purpose';
            CREATE TABLE {p}_nopk (x integer);
            COMMENT ON TABLE {p}_nopk IS 'advisor: allow no_primary_key: an append-only log read in full
            advisor: allow rls_disabled: holds no tenant data';
            """);
        try
        {
            var advisor = await AdvisorAsync();
            var findings = Findings(advisor);
            var accepted = Accepted(advisor);
            Assert.Contains(accepted, a => a is { Check: "security_definer_view", Level: "error" } && a.Object == $"public.{p}_accepted"
                && a.Reason == "reads only ids, and the test says so.");
            Assert.Contains(accepted, a => a.Check == "definer_function_executable" && a.Object == $"public.{p}_definer()"
                && a.Reason == "called by the request role on purpose");
            // One comment, two exceptions, one line each.
            Assert.Contains(accepted, a => a.Check == "no_primary_key" && a.Object == $"public.{p}_nopk" && a.Reason == "an append-only log read in full");
            Assert.Contains(accepted, a => a.Check == "rls_disabled" && a.Object == $"public.{p}_nopk" && a.Reason == "holds no tenant data");
            // Accepted means gone from the findings, for that check; other checks still judge those objects.
            Assert.DoesNotContain(findings, f => (f.Check == "security_definer_view" && f.Object == $"public.{p}_accepted")
                || (f.Check == "definer_function_executable" && f.Object.Contains($"{p}_definer", StringComparison.Ordinal))
                || (f.Check is "no_primary_key" or "rls_disabled" && f.Object == $"public.{p}_nopk"));
            // An exception names its check: accepting another one accepts nothing here.
            Assert.Contains(findings, f => f.Check == "security_definer_view" && f.Object == $"public.{p}_wrong_check");
            Assert.Contains(findings, f => f.Check == "security_definer_view" && f.Object == $"public.{p}_open");

            var counts = advisor.GetProperty("counts");
            Assert.Equal(findings.Count, counts.GetProperty("errors").GetInt32() + counts.GetProperty("warnings").GetInt32() + counts.GetProperty("info").GetInt32());
            Assert.Equal(accepted.Count, counts.GetProperty("accepted").GetInt32());

            var summary = await fixture.Api.GetFreshOkAsync("/api/monitoring/summary");
            var recommendations = summary.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()!).ToList();
            var definerViewWhy = Findings(advisor).First(f => f.Check == "security_definer_view").Why;
            Assert.Contains(recommendations, r => r.StartsWith($"public.{p}_open: {definerViewWhy}", StringComparison.Ordinal));
            Assert.DoesNotContain(recommendations, r => r.StartsWith($"public.{p}_accepted: {definerViewWhy}", StringComparison.Ordinal));
            Assert.Equal(accepted.Count, summary.GetProperty("advisor").GetProperty("accepted").GetInt32());
        }
        finally
        {
            await fixture.ExecuteAsync($"DROP TABLE IF EXISTS {p}_t, {p}_nopk CASCADE; DROP FUNCTION IF EXISTS {p}_definer();");
        }
    }

    [Fact]
    public async Task Freshly_migrated_catalog_has_no_error_and_every_warning_is_an_annotated_exception()
    {
        var advisor = await AdvisorAsync();
        var open = Findings(advisor).Where(f => f.Level is "error" or "warn" && !SessionChecks.Contains(f.Check)).ToList();
        Assert.True(open.Count == 0, "unaccepted findings on the migrated catalog:\n" + string.Join("\n", open.Select(f => $"{f.Level} {f.Check} {f.Object}")));

        // What the migrations fixed stays fixed, and what they accepted says why.
        var accepted = Accepted(advisor);
        Assert.DoesNotContain(accepted, a => a.Check is "security_definer_view" or "multiple_permissive_policies" or "extension_in_public");
        Assert.Equal(
            new[] { "app.\"current_role\"()", "app.current_organization_id()" },
            accepted.Where(a => a.Check == "definer_function_executable" && a.Object.StartsWith("app.", StringComparison.Ordinal)).Select(a => a.Object).Order(StringComparer.Ordinal));
        Assert.All(accepted, a => Assert.False(string.IsNullOrWhiteSpace(a.Reason)));
    }

    private static string Prefix() => $"par_{Guid.NewGuid():N}"[..16];

    private Task<JsonElement> AdvisorAsync() => fixture.Api.GetFreshOkAsync("/api/monitoring/advisor");

    private static List<(string Level, string Check, string Object, string Why)> Findings(JsonElement advisor) =>
        advisor.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("level").GetString()!, f.GetProperty("check").GetString()!, f.GetProperty("object").GetString()!, f.GetProperty("why").GetString()!))
            .ToList();

    private static List<(string Level, string Check, string Object, string Reason)> Accepted(JsonElement advisor) =>
        advisor.GetProperty("accepted").EnumerateArray()
            .Select(f => (f.GetProperty("level").GetString()!, f.GetProperty("check").GetString()!, f.GetProperty("object").GetString()!, f.GetProperty("reason").GetString()!))
            .ToList();
}
