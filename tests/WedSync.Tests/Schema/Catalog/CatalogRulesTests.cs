using System.Text.RegularExpressions;
using WedSync.Migrations.Journal;
using WedSync.Tests.Infrastructure;

namespace WedSync.Tests.Schema.Catalog;

/// <summary>
/// The rules of SCHEMA.md, checked on what the migrator actually built: queries against
/// pg_catalog of the migrated database, so nothing a script does indirectly (DO blocks, triggers,
/// later ALTERs) escapes them. Each failure lists every offending object. Objects that belong to
/// an extension (pg_stat_statements lives in public) are the extension's, not ours, and are skipped.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed partial class CatalogRulesTests(AppHostFixture fixture)
{
    /// <summary>Our schemas: the application's tables and functions, and the claim helpers.</summary>
    private const string OurSchemas = "n.nspname IN ('public', 'app')";

    private const string NotAnExtensionMember = """
        NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'e')
        """;

    [Fact]
    public void Every_table_has_row_level_security()
    {
        var offenders = Query($"""
            SELECT c.oid::regclass::text
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {OurSchemas} AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity AND {NotAnExtensionMember}
            ORDER BY 1
            """);

        AssertNone(offenders, "table(s) without row-level security");
    }

    [Fact]
    public void Migrator_journal_without_row_level_security_is_out_of_the_request_roles_reach()
    {
        // The migrator's own tables (journal, drift fingerprint) carry no RLS: they hold script and object
        // names, no tenant data. The exemption holds only while the request role cannot reach them.
        var journal = Query($"SELECT to_regclass('{JournalStore.Table}')::text WHERE to_regclass('{JournalStore.Table}') IS NOT NULL");
        Assert.True(journal.Count == 1, $"{JournalStore.Table} is missing: this rule guards nothing");

        var privileges = Query($"""
            SELECT c.oid::regclass::text || ': ' || p.privilege
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']::text[]) AS p (privilege)
            WHERE n.nspname = '{JournalStore.Schema}' AND c.relkind IN ('r', 'p')
              AND has_table_privilege('wedsync_user', c.oid, p.privilege)
            UNION ALL
            SELECT '{JournalStore.Schema}: USAGE' WHERE has_schema_privilege('wedsync_user', '{JournalStore.Schema}', 'USAGE')
            """);

        AssertNone(privileges, $"privilege(s) of wedsync_user in {JournalStore.Schema}, whose tables have no row-level security");
    }

    [Fact]
    public void Every_table_with_row_level_security_has_a_policy()
    {
        // Without a policy the request role sees nothing, which hides a forgotten policy until a user complains.
        var offenders = Query("""
            SELECT c.oid::regclass::text
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND c.relkind IN ('r', 'p') AND c.relrowsecurity
              AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
            ORDER BY 1
            """);

        AssertNone(offenders, "table(s) with row-level security but no policy");
    }

    [Fact]
    public void Every_foreign_key_is_served_by_an_index()
    {
        // An index serves a foreign key when its leading key columns are foreign-key columns and
        // either are all of them (in any order) or already determine one parent row: their
        // referenced columns hold a unique key of the parent. (photo_group_id) serves
        // (photo_group_id, wedding_id, organization_id) -> photo_groups (id, wedding_id, organization_id)
        // because photo_groups.id is unique: the index finds exactly one parent's children, which
        // is what a parent's DELETE or key UPDATE needs. (organization_id) alone serves only the
        // foreign key to organizations.
        var offenders = Query($"""
            WITH fk AS (
                SELECT c.oid, c.conrelid, c.confrelid, c.conname, c.conkey, c.confkey
                FROM pg_constraint c
                JOIN pg_class t ON t.oid = c.conrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE c.contype = 'f' AND {OurSchemas}
            ), served_by AS (
                SELECT fk.oid AS fk_oid, k.len, (i.indkey::int2[])[0:k.len - 1] AS columns
                FROM fk
                JOIN pg_index i ON i.indrelid = fk.conrelid AND i.indisvalid AND i.indpred IS NULL
                CROSS JOIN LATERAL generate_series(1, least(i.indnkeyatts, cardinality(fk.conkey))) AS k (len)
                WHERE (i.indkey::int2[])[0:k.len - 1] <@ fk.conkey
            )
            SELECT format('%s.%s (%s)', fk.conrelid::regclass, fk.conname,
                          (SELECT string_agg(a.attname, ', ' ORDER BY k.ord)
                           FROM unnest(fk.conkey) WITH ORDINALITY AS k (attnum, ord)
                           JOIN pg_attribute a ON a.attrelid = fk.conrelid AND a.attnum = k.attnum))
            FROM fk
            WHERE NOT EXISTS (
                SELECT 1 FROM served_by s
                WHERE s.fk_oid = fk.oid
                  AND (s.len = cardinality(fk.conkey)
                       OR EXISTS (
                           SELECT 1 FROM pg_index u
                           WHERE u.indrelid = fk.confrelid AND u.indisunique AND u.indisvalid
                             AND u.indpred IS NULL AND u.indexprs IS NULL
                             AND (u.indkey::int2[])[0:u.indnkeyatts - 1] <@ ARRAY(
                                 SELECT fk.confkey[pos] FROM generate_subscripts(fk.conkey, 1) AS pos
                                 WHERE fk.conkey[pos] = ANY (s.columns)))))
            ORDER BY 1
            """);

        AssertNone(offenders, "foreign key(s) without an index whose leading columns serve them");
    }

    [Fact]
    public void Every_function_has_a_fixed_search_path()
    {
        // Without one, a function resolves names through the caller's search_path, and a caller
        // who can create objects earlier in it can substitute them (fatal for SECURITY DEFINER).
        var offenders = Query($"""
            SELECT p.oid::regprocedure::text
            FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE {OurSchemas}
              AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS setting WHERE setting LIKE 'search\_path=%')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e')
            ORDER BY 1
            """);

        AssertNone(offenders, "function(s) without a fixed search_path");
    }

    [Fact]
    public void Every_policy_calls_the_claim_helpers_wrapped_in_a_select()
    {
        // PostgreSQL prints a wrapped call as "( SELECT app.f() AS f)": an init plan, run once per
        // statement. A bare app.f() may run once per row.
        var policies = Query("""
            SELECT format('%s.%s on %s.%s', schemaname, policyname, schemaname, tablename)
                   || E'\n' || coalesce(qual, '') || E'\n' || coalesce(with_check, '')
            FROM pg_policies
            ORDER BY 1
            """);
        Assert.NotEmpty(policies);

        var offenders = policies
            .Where(policy => BareHelperCall().IsMatch(policy))
            .Select(policy => policy.ReplaceLineEndings(" | "))
            .ToList();

        AssertNone(offenders, "policy(ies) calling an app.* helper unwrapped");
    }

    [Fact]
    public void Functions_that_policies_constraints_and_indexes_call_are_planned_once_per_session()
    {
        // Issue 16 ("Faster"): a LANGUAGE sql function with a SET clause is never inlined, so PostgreSQL
        // parses and plans its body again in every statement that calls it. Behind a policy, a CHECK or an
        // index expression that is every request (the claim helpers, app.canonical_mailbox): most of the
        // create path's database CPU until 20250901800000 made them PL/pgSQL (one plan per session).
        var offenders = Query("""
            SELECT DISTINCT p.oid::regprocedure::text || ' (called by ' || d.classid::regclass::text || ')'
            FROM pg_depend d
            JOIN pg_proc p ON p.oid = d.refobjid AND d.refclassid = 'pg_proc'::regclass
            JOIN pg_language l ON l.oid = p.prolang
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE d.classid IN ('pg_policy'::regclass, 'pg_constraint'::regclass, 'pg_class'::regclass)
              AND n.nspname IN ('public', 'app') AND l.lanname = 'sql' AND p.proconfig IS NOT NULL
            ORDER BY 1
            """);

        AssertNone(offenders, "LANGUAGE sql function(s) with SET, planned in every statement, behind a policy, constraint or index");
    }

    private List<string> Query(string sql) => fixture.QueryStrings(sql);

    private static void AssertNone(IReadOnlyCollection<string> offenders, string what) =>
        Assert.True(offenders.Count == 0, $"{offenders.Count} {what}:\n  {string.Join("\n  ", offenders)}");

    [GeneratedRegex(@"(?<!SELECT\s+)\bapp\.\w+\(", RegexOptions.IgnoreCase)]
    private static partial Regex BareHelperCall();
}
