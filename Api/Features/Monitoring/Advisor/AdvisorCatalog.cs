namespace WedSync.Api.Features.Monitoring.Advisor;

/// <summary>
/// The advisor's checks: PgHero's (queries, indexes, vacuum, sequences, wraparound, sessions) and
/// Supabase's linter's (RLS, policies, foreign keys, search_path) in one list. Every query returns
/// (object text, level text, detail text) and reads only catalogs and statistics views, filtering
/// before any per-row function so that a database of a thousand tables stays within milliseconds.
/// </summary>
public static class AdvisorCatalog
{
    /// <summary>Schemas that hold our objects; system and extension schemas are not ours to lint.</summary>
    private const string UserSchema = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

    /// <summary>A session as the session checks name it: its pid and application (or user).</summary>
    private const string SessionObject = "format('pid %s (%s)', a.pid, coalesce(nullif(a.application_name, ''), a.usename::text))";

    private const string NotExtensionOwned = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')";

    public static readonly AdvisorCheck[] Checks =
    [
        new("rls_disabled",
            "Row-level security is off: the request role sees and changes every tenant's rows of this table.",
            "ALTER TABLE … ENABLE ROW LEVEL SECURITY and add organization policies (CREATE POLICY …).",
            $"""
            SELECT format('%I.%I', n.nspname, c.relname), 'error', NULL
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND NOT c.relrowsecurity
              AND {NotExtensionOwned}
            """),
        new("rls_no_policy",
            "Row-level security is on but no policy exists, so the request role sees no row and every write fails.",
            "Add the policies the table needs (CREATE POLICY … USING ((SELECT app.current_organization_id()) = organization_id)).",
            $"""
            SELECT format('%I.%I', n.nspname, c.relname), 'warn', NULL
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {UserSchema} AND c.relkind IN ('r', 'p') AND c.relrowsecurity
              AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
            """),
        // pg_get_expr prints a wrapped helper as "( SELECT app.f() AS f)"; what remains after removing
        // those is evaluated once per row instead of once per statement (an initPlan).
        new("policy_per_row",
            "The policy calls a claims helper or current_setting() directly, so PostgreSQL evaluates it for every row instead of once per statement.",
            "Wrap the call in a sub-select: (SELECT app.current_organization_id()) instead of app.current_organization_id().",
            """
            SELECT format('%s on %I.%I', p.polname, n.nspname, c.relname), 'warn', NULL
            FROM pg_policy p
            JOIN pg_class c ON c.oid = p.polrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE regexp_replace(coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''),
                                 '\(\s*SELECT\s+[a-z_]+\.[a-z_]+\([^()]*\)(\s+AS\s+[a-z_]+)?\s*\)', '', 'gi')
                  ~* '(\mapp\.[a-z_]+\(|\mauth\.[a-z_]+\(|current_setting\()'
            """),
        new("unindexed_foreign_key",
            "No index starts with the foreign key's columns: deleting or updating a referenced row scans this whole table, and joins on it are slow.",
            "CREATE INDEX CONCURRENTLY on the foreign key's columns (in a migration of its own).",
            $"""
            SELECT format('%s on %I.%I (%s)', con.conname, n.nspname, c.relname,
                          (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum)), 'warn', NULL
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE con.contype = 'f' AND {UserSchema}
              AND NOT EXISTS (
                  SELECT 1 FROM pg_index i
                  WHERE i.indrelid = con.conrelid
                    AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)] @> con.conkey
                    AND con.conkey @> (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)])
            """),
        new("no_primary_key",
            "The table has no primary key: rows cannot be addressed reliably, logical replication cannot update or delete them, and duplicates go unnoticed.",
            "Add a primary key (ALTER TABLE … ADD PRIMARY KEY, or an identity/uuid id column).",
            $"""
            SELECT format('%I.%I', n.nspname, c.relname), 'warn', NULL
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {UserSchema} AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND {NotExtensionOwned}
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'p')
            """),
        new("duplicate_index",
            "Several indexes have the same definition: every write maintains all of them for no gain in reads.",
            "Drop all but one (DROP INDEX CONCURRENTLY), keeping the one that backs a constraint.",
            $"""
            SELECT format('%I.%I: %s', n.nspname, c.relname, string_agg(quote_ident(ic.relname), ', ' ORDER BY ic.relname)), 'warn', NULL
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {UserSchema}
            GROUP BY n.nspname, c.relname, i.indrelid, i.indkey::text, i.indclass::text, i.indcollation::text,
                     coalesce(i.indexprs::text, ''), coalesce(i.indpred::text, ''), ic.relam
            HAVING count(*) > 1
            """),
        new("unused_index",
            "The index has never been scanned since statistics were reset, yet every write maintains it and it takes space.",
            "Confirm on every replica and over a full business cycle, then DROP INDEX CONCURRENTLY.",
            """
            SELECT format('%I.%I on %I', s.schemaname, s.indexrelname, s.relname), 'info',
                   pg_size_pretty(pg_relation_size(s.indexrelid))
            FROM pg_stat_user_indexes s
            JOIN pg_index i ON i.indexrelid = s.indexrelid
            WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = s.indexrelid)
              AND pg_relation_size(s.indexrelid) > 1048576
            """),
        new("mutable_search_path",
            "The function runs with the caller's search_path: a caller who can create objects in a schema on that path can make it call their own operators and functions.",
            "ALTER FUNCTION … SET search_path = pg_catalog, public (or the schemas it needs).",
            """
            SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), 'warn', NULL
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('public', 'app') AND p.prokind IN ('f', 'p')
              AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) cfg WHERE cfg LIKE 'search\_path=%')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            """),
        new("sequence_near_max",
            "The sequence has used most of its range: when it reaches the maximum, every insert that draws from it fails.",
            "Change the column and sequence to bigint (ALTER SEQUENCE … AS bigint MAXVALUE …) before it runs out.",
            """
            SELECT format('%I.%I', s.schemaname, s.sequencename),
                   CASE WHEN s.last_value::numeric / s.max_value > 0.95 THEN 'error' ELSE 'warn' END,
                   round(100 * s.last_value::numeric / s.max_value, 1) || ' % used'
            FROM pg_sequences s
            WHERE s.increment_by > 0 AND s.last_value IS NOT NULL AND s.last_value::numeric / s.max_value > 0.8
            """),
        new("xid_wraparound",
            "The oldest unfrozen transaction id of the database is old: near 2 billion PostgreSQL stops accepting writes to prevent wraparound.",
            "Find what blocks freezing (long transactions, abandoned replication slots, prepared transactions) and VACUUM (FREEZE) the oldest tables.",
            """
            SELECT quote_ident(d.datname), CASE WHEN age(d.datfrozenxid) > 1500000000 THEN 'error' ELSE 'warn' END,
                   age(d.datfrozenxid) || ' transactions old'
            FROM pg_database d
            WHERE d.datallowconn AND age(d.datfrozenxid) > 1000000000
            """),
        new("needs_vacuum",
            "More than 20 % of the table's rows are dead: scans read garbage and the table and its indexes bloat.",
            "VACUUM (ANALYZE) the table, and lower autovacuum_vacuum_scale_factor for it if this recurs.",
            """
            SELECT format('%I.%I', s.schemaname, s.relname), 'warn',
                   s.n_dead_tup || ' dead of ' || (s.n_live_tup + s.n_dead_tup) || ' rows'
            FROM pg_stat_user_tables s
            WHERE s.n_dead_tup > 1000 AND s.n_dead_tup > 0.2 * (s.n_live_tup + s.n_dead_tup)
            """),
        new("long_running_query",
            "A statement has been running for more than 5 minutes: it holds locks and its snapshot keeps vacuum from cleaning up.",
            "Find out what it is (slow-queries) and cancel it with pg_cancel_backend(pid) if it is not expected.",
            $"""
            SELECT {SessionObject}, 'warn',
                   'running for ' || date_trunc('second', clock_timestamp() - a.query_start)
            FROM pg_stat_activity a
            WHERE a.backend_type = 'client backend' AND a.state = 'active' AND a.pid <> pg_backend_pid()
              AND a.query_start < clock_timestamp() - interval '5 minutes'
            """),
        // pg_blocking_pids is costly, so only sessions that wait on a lock are asked about.
        new("blocked_query",
            "A session waits for a lock another session holds.",
            "Look at the blocking sessions; end a stuck one with pg_terminate_backend(pid), and keep transactions short.",
            $"""
            SELECT {SessionObject}, 'warn',
                   'blocked by ' || array_to_string(pg_blocking_pids(a.pid), ', ')
            FROM pg_stat_activity a
            WHERE a.wait_event_type = 'Lock' AND cardinality(pg_blocking_pids(a.pid)) > 0
            """),
        new("idle_in_transaction",
            "A session has sat idle inside an open transaction for more than a minute: it holds its locks and keeps vacuum from cleaning up.",
            "Fix the code path that leaves the transaction open; set idle_in_transaction_session_timeout as a guard.",
            $"""
            SELECT {SessionObject}, 'warn',
                   'idle in transaction for ' || date_trunc('second', clock_timestamp() - a.state_change)
            FROM pg_stat_activity a
            WHERE a.backend_type = 'client backend' AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')
              AND a.state_change < clock_timestamp() - interval '1 minute'
            """),
    ];
}
