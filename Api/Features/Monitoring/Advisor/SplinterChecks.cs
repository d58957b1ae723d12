using WedSync.Api.Platform.Tenancy;

namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// The advisor's checks that bring it to parity with Supabase's database linter (splinter) on plain
/// PostgreSQL, plus PgHero's invalid-index check and a table-bloat estimate. Where splinter asks
/// about its <c>anon</c>/<c>authenticated</c> roles, these ask about our request role
/// (<see cref="TenantSession.RequestRole"/>): what it can reach is what a request can reach.
/// Each query returns (object text, level text, detail text) like <see cref="AdvisorCatalog"/>'s, names
/// objects the way <see cref="AcceptedExceptions"/> recognizes, and stays cheap at a thousand tables:
/// it reads policies, views, functions or extensions (few), or filters tables on pg_class before
/// anything per table.
/// </summary>
public static class SplinterChecks
{
    private const string Role = TenantSession.RequestRole;

    /// <summary>Not PostgreSQL's own schemas; whatever else the request role can use is in scope.</summary>
    private const string NotSystemSchema = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";

    /// <summary>Policies whose expressions are the same for every row and caller: only these node types,
    /// and only built-in comparison operators: an operator function of ours could do anything when
    /// evaluated, and arithmetic can fail (1 / 0 = 1 would fail the whole advisor); comparing constants
    /// cannot. The LIKEs first drop, cheaply, the usual policy that reads a column, a sub-select or a function.</summary>
    private const string ConstantTree = """
        e.tree::text NOT LIKE '%{VAR %' AND e.tree::text NOT LIKE '%{SUBLINK %' AND e.tree::text NOT LIKE '%{FUNCEXPR %'
        AND NOT EXISTS (SELECT 1 FROM regexp_matches(e.tree::text, '\{([A-Z_]+)', 'g') m(node)
                    WHERE m.node[1] NOT IN ('CONST', 'OPEXPR', 'BOOLEXPR', 'NULLTEST', 'BOOLEANTEST', 'RELABELTYPE'))
        AND NOT EXISTS (SELECT 1 FROM regexp_matches(e.tree::text, ':opfuncid (\d+)', 'g') f(id) WHERE f.id[1]::oid >= 16384)
        AND NOT EXISTS (SELECT 1 FROM regexp_matches(e.tree::text, ':opresulttype (\d+)', 'g') r(id) WHERE r.id[1]::oid <> 'boolean'::regtype)
        """;

    public static readonly AdvisorCheck[] Checks =
    [
        // splinter 0010_security_definer_view. security_invoker exists from PostgreSQL 15 on; before
        // that every view runs with its owner's rights and there is nothing to switch.
        new("security_definer_view",
            $"The view runs with its owner's rights: {Role} reads through it whatever the owner may read, past the row-level security and privileges of the tables underneath.",
            "ALTER VIEW … SET (security_invoker = true), or move the view out of the schemas the request role uses and serve it through a function that checks the caller.",
            $"""
            WITH views AS MATERIALIZED (
                -- Views first: the privilege functions below would otherwise run for every relation.
                SELECT c.oid, c.relname, c.reloptions, n.oid AS nspoid, n.nspname
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'v' AND {NotSystemSchema}
            )
            SELECT format('%I.%I', v.nspname, v.relname), 'error', NULL
            FROM views v
            WHERE current_setting('server_version_num')::integer >= 150000
              AND has_schema_privilege('{Role}', v.nspoid, 'USAGE')
              AND has_table_privilege('{Role}', v.oid, 'SELECT, INSERT, UPDATE, DELETE')
              AND NOT EXISTS (SELECT 1 FROM unnest(v.reloptions) o
                              WHERE lower(o) IN ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'))
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = v.oid AND d.deptype = 'e')
"""),

        // splinter 0006_multiple_permissive_policies: PUBLIC policies count for every role; roles
        // that bypass RLS are not subject to policies at all.
        new("multiple_permissive_policies",
            "Several permissive policies apply to the same role and command: PostgreSQL evaluates every one of them for each row, and the access rule is split over places a reader must combine.",
            "Combine them into one policy per role and command (USING a OR b), or make the ones that only narrow access AS RESTRICTIVE.",
            """
            WITH shared AS MATERIALIZED (
                -- Tables with one permissive policy (most of them) cannot have two for a role: skip them early.
                SELECT polrelid FROM pg_policy WHERE polpermissive GROUP BY polrelid HAVING count(*) > 1
            )
            SELECT format('%I.%I: %s for %I', n.nspname, c.relname, act.cmd, r.rolname), 'warn',
                   'policies ' || string_agg(quote_ident(p.polname), ', ' ORDER BY p.polname)
            FROM shared
            JOIN pg_policy p ON p.polrelid = shared.polrelid
            JOIN pg_class c ON c.oid = p.polrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_roles r ON (r.oid = ANY (p.polroles) OR p.polroles = '{0}')
                           AND NOT r.rolbypassrls AND NOT r.rolsuper AND r.rolname NOT LIKE 'pg\_%'
            CROSS JOIN LATERAL unnest(CASE p.polcmd WHEN 'r' THEN '{SELECT}'::text[] WHEN 'a' THEN '{INSERT}' WHEN 'w' THEN '{UPDATE}'
                                       WHEN 'd' THEN '{DELETE}' ELSE '{SELECT,INSERT,UPDATE,DELETE}' END) act(cmd)
            WHERE p.polpermissive
            GROUP BY n.nspname, c.relname, act.cmd, r.rolname
            HAVING count(*) > 1
"""),

        // splinter 0028/0029_*_security_definer_function_executable, for our request role. EXECUTE
        // is granted to PUBLIC by default, which is how most of these happen: the detail says so.
        new("definer_function_executable",
            $"{Role} can execute this SECURITY DEFINER function, which runs with its owner's rights: past row-level security and the caller's privileges.",
            $"REVOKE EXECUTE … FROM PUBLIC (and from {Role}), or make it SECURITY INVOKER; if a request must call it, say why in its comment ('advisor: allow definer_function_executable: …').",
            $"""
            SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), 'warn',
                   CASE WHEN EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                                     WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
                        THEN 'executable by PUBLIC' END
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prosecdef AND {NotSystemSchema}
              AND has_schema_privilege('{Role}', n.oid, 'USAGE')
              AND has_function_privilege('{Role}', p.oid, 'EXECUTE')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            """),

        // splinter 0014_extension_in_public. plpgsql lives in pg_catalog; any other extension in
        // public mixes its functions with ours on every role's search_path.
        new("extension_in_public",
            "The extension is installed in schema public: its functions and views sit on every role's search_path beside ours, and a role that may create objects in public can shadow them.",
            "CREATE SCHEMA extensions; ALTER EXTENSION … SET SCHEMA extensions (and grant USAGE on it to the roles that use the extension).",
            """
            SELECT quote_ident(e.extname), 'warn', NULL
            FROM pg_extension e
            WHERE e.extnamespace = 'public'::regnamespace AND e.extname <> 'plpgsql'
            """),

        // splinter 0007_policy_exists_rls_disabled.
        new("policy_exists_rls_disabled",
            "The table has policies but row-level security is off, so none of them applies: every role with a privilege on the table sees and changes every row.",
            "ALTER TABLE … ENABLE ROW LEVEL SECURITY (the policies were written for it), or drop the policies if the table is meant to be open.",
            $"""
            SELECT format('%I.%I', n.nspname, c.relname), 'error',
                   (SELECT 'policies ' || string_agg(quote_ident(p.polname), ', ' ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT c.relrowsecurity AND c.relkind IN ('r', 'p') AND {NotSystemSchema}
              AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
"""),

        // splinter 0024_rls_policy_always_true, judged on the expression tree instead of its text:
        // an expression of constants and built-in operators is the same for every row and caller,
        // so it is evaluated once here ((1 = 1), (NOT false), ('a' = 'a') all count). A write policy
        // without WITH CHECK checks its USING (UPDATE, ALL); an INSERT policy without one admits nothing.
        new("policy_always_true",
            "A permissive write policy's USING or WITH CHECK is always true: every role it applies to may insert, change or delete any organization's rows, whatever the other policies say.",
            "Write the condition the rows must meet (organization_id = (SELECT app.current_organization_id())), or drop the policy.",
            $$"""
            WITH pol AS (
                SELECT p.polname, n.nspname, c.relname, p.polrelid,
                       CASE WHEN p.polcmd IN ('w', 'd', '*') THEN p.polqual END AS using_tree,
                       CASE WHEN p.polcmd IN ('a', 'w', '*') THEN coalesce(p.polwithcheck, p.polqual) END AS check_tree
                FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE p.polpermissive AND c.relrowsecurity AND p.polcmd IN ('a', 'w', 'd', '*')
                  AND (p.polroles = '{0}' OR '{{Role}}'::regrole = ANY (p.polroles))
            ), constant AS (
                SELECT pol.polname, pol.nspname, pol.relname, pol.polrelid, e.clause, e.tree
                FROM pol CROSS JOIN LATERAL (VALUES ('USING', pol.using_tree), ('WITH CHECK', pol.check_tree)) e(clause, tree)
                WHERE e.tree IS NOT NULL AND {{ConstantTree}}
            )
            SELECT format('%I on %I.%I', polname, nspname, relname), 'warn', string_agg(clause, ' and ' ORDER BY clause) || ' always true'
            FROM constant
            -- Relation 0: a constant tree names no column, and pg_get_expr(tree, polrelid) locks the table (PostgreSQL 15), so a locked table held the advisor back.
            WHERE query_to_xml('SELECT (' || pg_get_expr(tree, 0) || ')::boolean AS v', false, true, '')::text LIKE '%<v>true</v>%'
            GROUP BY polname, nspname, relname
            """),

        // PgHero's invalid indexes: left behind by a failed CREATE INDEX CONCURRENTLY or REINDEX
        // CONCURRENTLY. One being built right now is invalid too, and is left alone.
        new("invalid_index",
            "The index is invalid (a concurrent build or reindex failed): the planner never uses it, yet writes may still maintain it.",
            "DROP INDEX CONCURRENTLY it and create it again, or REINDEX INDEX CONCURRENTLY; for a unique index, remove the duplicates that failed the build first.",
            $"""
            SELECT format('%I.%I on %I', n.nspname, ic.relname, c.relname), 'warn',
                   CASE WHEN i.indisunique AND i.indisready THEN 'unique: it still rejects duplicates on every write' END
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = ic.relnamespace
            WHERE NOT i.indisvalid AND {NotSystemSchema}
              AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index pr WHERE pr.index_relid = i.indexrelid)
            """),

        // splinter 0020_table_bloat / PgHero's space estimate: the pages the table would need for its
        // rows (pg_stats widths, pg_class row count, fillfactor) against the pages it has. Only tables
        // of 10 MB and more are estimated, and only those with statistics on every column (a missing
        // width would pass for bloat). Info from 10 MB and half the table, warn from 1 GB.
        new("table_bloat",
            "Much of the table is free space that VACUUM keeps for reuse but does not return: scans read the empty pages and the table takes disk and cache it does not need.",
            "If the space will not be reused, rewrite the table (pg_repack without downtime, VACUUM FULL with it), and tune autovacuum so it keeps up.",
            $"""
            WITH big AS (
                SELECT c.oid, n.nspname, c.relname, c.relpages, c.reltuples, c.relnatts,
                       current_setting('block_size')::numeric AS bs,
                       coalesce((SELECT substr(o, 12)::numeric FROM unnest(c.reloptions) o WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm') AND c.reltuples >= 0 AND {NotSystemSchema}
                  -- 10 MB in pages, computed once (an initPlan), so that every relation costs one integer comparison.
                  AND c.relpages >= (SELECT 10485760 / current_setting('block_size')::integer)
            ), widths AS (
                SELECT b.oid, sum((1 - s.null_frac) * s.avg_width) AS data_width, max(s.null_frac) > 0 AS has_nulls, count(*) AS columns_with_stats
                FROM big b JOIN pg_stats s ON s.schemaname = b.nspname AND s.tablename = b.relname AND NOT s.inherited
                GROUP BY b.oid
            ), estimate AS (
                -- A row takes its 23-byte header (and null bitmap) and its data, each padded to 8 bytes,
                -- and a 4-byte line pointer; a page holds (block size - 24-byte header) x fillfactor.
                SELECT b.nspname, b.relname, b.relpages, b.bs,
                       ceil(b.reltuples * (8 * ceil((23 + CASE WHEN w.has_nulls THEN ceil(b.relnatts / 8.0) ELSE 0 END) / 8.0)
                                           + 8 * ceil(w.data_width / 8.0) + 4)
                            / ((b.bs - 24) * b.fillfactor / 100)) AS expected_pages
                FROM big b JOIN widths w ON w.oid = b.oid
                WHERE w.columns_with_stats = (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = b.oid AND a.attnum > 0 AND NOT a.attisdropped)
            )
            SELECT format('%I.%I', nspname, relname),
                   CASE WHEN (relpages - expected_pages) * bs >= 1073741824 THEN 'warn' ELSE 'info' END,
                   format('about %s of %s (%s %%) is free space', pg_size_pretty(((relpages - expected_pages) * bs)::bigint),
                          pg_size_pretty((relpages * bs)::bigint), round(100 * (relpages - expected_pages) / relpages))
            FROM estimate
            WHERE (relpages - expected_pages) * bs >= 10485760 AND relpages - expected_pages >= 0.5 * relpages
            """),
    ];
}
