using WedSync.Migrations.Catalog;

namespace WedSync.Tests.Migrator;

/// <summary>
/// The catalog states each object it changes over time once, in a repeatable script, and no versioned script
/// newer than that repeatable touches it (read with the project's scanner, no database).
/// </summary>
public sealed class RepeatableOwnershipTests
{
    private static IReadOnlyList<SqlScript> Catalog => ScriptCatalog.ForSchema(null).Scripts;

    [Fact]
    public void Every_object_two_versioned_scripts_define_is_a_repeatable_scripts()
    {
        var repeatable = Catalog.Where(s => s.Kind == ScriptKind.Repeatable).SelectMany(s => RepeatableOwnership.ObjectsDefined(s.Contents)).ToHashSet();

        var restated = Catalog.Where(s => s.Kind == ScriptKind.Versioned)
            .SelectMany(s => RepeatableOwnership.ObjectsDefined(s.Contents))
            .GroupBy(o => o).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.Contains("get_db_monitoring_summary", restated);
        Assert.Contains("app.claims", restated);
        Assert.DoesNotContain(restated, o => !repeatable.Contains(o));
    }

    [Fact]
    public void No_versioned_script_newer_than_a_repeatable_touches_its_objects_and_repeatables_sort_after_what_they_use()
    {
        Assert.Empty(RepeatableOwnership.Violations(Catalog));
        Assert.Empty(RepeatableOwnership.OrderViolations(Catalog));
        Assert.All(Catalog.Where(s => s.Kind == ScriptKind.Repeatable), s => Assert.NotNull(RepeatableOwnership.Introduced(s)));
    }

    [Theory]
    // Restated in a new versioned script: the next change of the repeatable would silently undo it.
    [InlineData("CREATE OR REPLACE FUNCTION public.monitoring_redact_query(p_query text, p_max_length integer DEFAULT 500)\nRETURNS text LANGUAGE sql AS $$ SELECT p_query $$;\n", "monitoring_redact_query")]
    // CREATE OR REPLACE resets a function's SET clauses: an ALTER FUNCTION ... SET lasts until the repeatable reruns.
    [InlineData("ALTER FUNCTION app.canonical_mailbox(text) SET search_path = pg_catalog, public;\n", "app.canonical_mailbox")]
    // CREATE OR REPLACE VIEW replaces a view's options (security_invoker): an ALTER VIEW ... SET does not last.
    [InlineData("ALTER VIEW \"monitoring_rls_status\" SET (security_invoker = false);\n", "monitoring_rls_status")]
    [InlineData("DROP FUNCTION IF EXISTS record_referral_click(text, inet, text, text);\n", "record_referral_click")]
    public void A_new_versioned_script_that_touches_a_repeatables_object_is_refused(string sql, string obj)
    {
        var scripts = Catalog.Append(new SqlScript("20250904600000_restates.sql", "SET LOCAL lock_timeout = '10s';\n" + sql)).ToList();

        var violation = Assert.Single(RepeatableOwnership.Violations(scripts));

        Assert.StartsWith($"20250904600000_restates.sql: {obj} (change it in R__", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_versioned_script_may_have_defined_it_and_a_comment_or_grant_is_not_a_change()
    {
        var scripts = Catalog.Append(new SqlScript("20250904600000_grants.sql",
            "COMMENT ON FUNCTION app.claims() IS 'x';\nGRANT EXECUTE ON FUNCTION trial_roi(uuid) TO PUBLIC;\nSELECT app.claims();\n")).ToList();

        Assert.Empty(RepeatableOwnership.Violations(scripts));
    }

    [Fact]
    public void A_view_that_uses_a_later_repeatables_function_is_out_of_order_and_plpgsql_is_not_checked()
    {
        SqlScript[] scripts =
        [
            new("R__a_view.sql", "-- 20250101000000\nCREATE OR REPLACE VIEW a_view AS SELECT public.z_fn() AS v;\n", ScriptKind.Repeatable),
            new("R__b_plpgsql.sql", "CREATE OR REPLACE FUNCTION b_fn() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN z_fn(); END $$;\n", ScriptKind.Repeatable),
            new("R__z_fn.sql", "CREATE OR REPLACE FUNCTION z_fn() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n", ScriptKind.Repeatable),
        ];

        Assert.Equal(["R__a_view.sql uses z_fn of R__z_fn.sql"], RepeatableOwnership.OrderViolations(scripts));
        Assert.Equal("20250101000000", RepeatableOwnership.Introduced(scripts[0]));
        Assert.Null(RepeatableOwnership.Introduced(scripts[1]));
    }
}
