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

    /// <summary>
    /// A sequence's use measured against what it can still deliver: the narrower of its own bound and
    /// the integer type of every column it feeds (OWNED BY / serial, identity, or DEFAULT nextval), in
    /// the direction it moves. A bigint sequence feeding an int column fails at 2,147,483,647.
    /// </summary>
    private const string SequenceNearMaxSql = """
        WITH candidates AS MATERIALIZED (
            -- Below 80 % of the smallest integer type (smallint) and of its own bound a sequence
            -- cannot be near the end whatever it feeds: only the others are traced to their columns.
            SELECT sq.seqrelid, sq.seqincrement, sq.seqmax, sq.seqmin, v.last_value
            FROM pg_sequence sq
            JOIN pg_class c ON c.oid = sq.seqrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL (
                SELECT CASE WHEN has_sequence_privilege(c.oid, 'SELECT, USAGE') THEN pg_sequence_last_value(c.oid)::numeric END AS last_value) AS v
            WHERE NOT pg_is_other_temp_schema(n.oid) AND v.last_value IS NOT NULL
              AND (abs(v.last_value) > 0.8 * 32767
                   OR v.last_value / nullif(CASE WHEN sq.seqincrement > 0 THEN sq.seqmax ELSE sq.seqmin END, 0) > 0.8)
        ), fed AS (
            -- Owned by (serial, OWNED BY) and identity columns.
            SELECT d.objid AS seq, d.refobjid AS rel, d.refobjsubid AS att
            FROM candidates k
            JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = k.seqrelid
            WHERE d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
            UNION
            -- DEFAULT nextval('s') of any column.
            SELECT d.refobjid, ad.adrelid, ad.adnum
            FROM candidates k
            JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = k.seqrelid
            JOIN pg_attrdef ad ON ad.oid = d.objid
            WHERE d.classid = 'pg_attrdef'::regclass
        ), columns AS (
            SELECT f.seq,
                   min(CASE a.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647
                                       WHEN 'int8'::regtype THEN 9223372036854775807 END) AS col_max,
                   max(CASE a.atttypid WHEN 'int2'::regtype THEN -32768 WHEN 'int4'::regtype THEN -2147483648
                                       WHEN 'int8'::regtype THEN -9223372036854775808 END) AS col_min,
                   string_agg(format('%I.%I.%I (%s)', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)), ', '
                              ORDER BY n.nspname, c.relname, a.attname) AS names
            FROM fed f
            JOIN pg_attribute a ON a.attrelid = f.rel AND a.attnum = f.att AND NOT a.attisdropped
            JOIN pg_class c ON c.oid = f.rel
            JOIN pg_namespace n ON n.oid = c.relnamespace
            GROUP BY f.seq
        )
        SELECT format('%I.%I', n.nspname, c.relname),
               CASE WHEN u.used > 0.95 THEN 'error' ELSE 'warn' END,
               round(100 * u.used, 1) || ' % of the range used, last value ' || k.last_value || coalesce(', feeding ' || col.names, '')
        FROM candidates k
        JOIN pg_class c ON c.oid = k.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN columns col ON col.seq = k.seqrelid
        CROSS JOIN LATERAL (
            -- The narrower of the sequence's own bound and the column's type, in the direction it moves.
            SELECT CASE WHEN k.seqincrement > 0 THEN k.last_value / nullif(least(k.seqmax, coalesce(col.col_max, k.seqmax)), 0)
                        ELSE k.last_value / nullif(greatest(k.seqmin, coalesce(col.col_min, k.seqmin)), 0) END AS used) AS u
        WHERE u.used > 0.8
        """;

    /// <summary>
    /// Policies that call a claims helper outside every uncorrelated sub-select, read from the node
    /// trees: tokens ({SUBLINK, {FUNCEXPR :funcid n, other braces, outer references) in order with
    /// their nesting level; a brace's partner is the next token at the same level. A SubLink with an
    /// outer reference (:varlevelsup) inside is correlated, so it runs per row and protects nothing.
    /// </summary>
    private const string PolicyPerRowSql = """
        WITH tokens AS MATERIALIZED (
            SELECT t.policy, t.part, k.ord, k.m[1] AS tok,
                   sum(CASE WHEN k.m[1] = '}' THEN -1 WHEN left(k.m[1], 1) = '{' THEN 1 ELSE 0 END) OVER w
                       + CASE WHEN k.m[1] = '}' THEN 1 ELSE 0 END AS level,
                   count(*) FILTER (WHERE k.m[1] LIKE ':varlevelsup%') OVER w AS outer_refs
            -- Braces escaped inside names (\{) are not structure.
            FROM (SELECT p.oid AS policy, e.part, replace(replace(e.tree, '\{', ''), '\}', '') AS tree
                  FROM pg_policy p
                  CROSS JOIN LATERAL (VALUES (1, p.polqual::text), (2, p.polwithcheck::text)) AS e (part, tree)
                  WHERE strpos(e.tree, '{FUNCEXPR') > 0) AS t
            CROSS JOIN LATERAL regexp_matches(t.tree, '(\{SUBLINK|\{FUNCEXPR :funcid \d+|\{|\}|:varlevelsup [1-9])', 'g') WITH ORDINALITY AS k (m, ord)
            WINDOW w AS (PARTITION BY t.policy, t.part ORDER BY k.ord)
        ), braces AS (
            SELECT b.policy, b.part, b.ord, b.tok, b.outer_refs,
                   lead(b.ord) OVER w AS closed, lead(b.outer_refs) OVER w AS outer_refs_at_close
            FROM tokens b
            WHERE left(b.tok, 1) IN ('{', '}')
            WINDOW w AS (PARTITION BY b.policy, b.part, b.level ORDER BY b.ord)
        ), stream AS (
            SELECT s.policy, s.part, s.ord, 1 AS step, NULL::oid AS fn FROM braces s
            WHERE s.tok = '{SUBLINK' AND s.outer_refs_at_close = s.outer_refs
            UNION ALL
            SELECT s.policy, s.part, s.closed, -1, NULL FROM braces s
            WHERE s.tok = '{SUBLINK' AND s.outer_refs_at_close = s.outer_refs
            UNION ALL
            SELECT f.policy, f.part, f.ord, 0, substr(f.tok, 19)::oid FROM tokens f WHERE f.tok LIKE '{FUNCEXPR%'
        ), bare AS (
            SELECT DISTINCT x.policy
            FROM (SELECT s.*, sum(s.step) OVER (PARTITION BY s.policy, s.part ORDER BY s.ord) AS once FROM stream s) AS x
            JOIN pg_proc pr ON pr.oid = x.fn
            JOIN pg_namespace pn ON pn.oid = pr.pronamespace
            WHERE x.once = 0
              AND (pn.nspname IN ('app', 'auth') OR (pn.nspname = 'pg_catalog' AND pr.proname = 'current_setting'))
        )
        SELECT format('%s on %I.%I', p.polname, n.nspname, c.relname), 'warn', NULL
        FROM bare b
        JOIN pg_policy p ON p.oid = b.policy
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        """;

    public static readonly AdvisorCheck[] Checks =
    [
        // One rule for the RLS endpoint, the summary's score, the sampler's events and this check:
        // monitoring_rls_status judges every relation the request role reaches (and the tables of public).
        new("rls_disabled",
            "The request role reaches this relation's rows without row-level security: it sees and changes every tenant's rows.",
            "ALTER TABLE … ENABLE ROW LEVEL SECURITY with organization policies (CREATE POLICY …), revoke the grant, or make the view security_invoker.",
            """
            SELECT format('%I.%I', r.schema_name, r.table_name), 'error', r.relation_kind || ': ' || r.reason
            FROM monitoring_rls_status r
            WHERE r.risk_level = 'HIGH'
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
        // Decided on the expression tree (pg_node_tree), not on the printed text: a claims helper
        // (schema app or auth, or current_setting) called outside every uncorrelated sub-select is
        // evaluated for each row; inside one it becomes an InitPlan, evaluated once per statement,
        // however the expression around it is written (casts, ANY (ARRAY(SELECT …)), EXISTS, ->>).
        new("policy_per_row",
            "The policy calls a claims helper or current_setting() directly, so PostgreSQL evaluates it for every row instead of once per statement.",
            "Wrap the call in a sub-select: (SELECT app.current_organization_id()) instead of app.current_organization_id().",
            PolicyPerRowSql),
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
                  -- Only an index the planner can use for the lookup counts: built and valid (not a
                  -- failed CREATE INDEX CONCURRENTLY), not partial, not BRIN, and its first key columns
                  -- (INCLUDE columns cannot be searched; an expression's attnum is 0) are the foreign key's.
                  SELECT 1 FROM pg_index i
                  JOIN pg_class ic ON ic.oid = i.indexrelid
                  JOIN pg_am am ON am.oid = ic.relam
                  WHERE i.indrelid = con.conrelid
                    AND i.indisvalid AND i.indisready AND i.indislive AND i.indpred IS NULL
                    AND am.amname <> 'brin'
                    AND i.indnkeyatts >= cardinality(con.conkey)
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
        // Duplicates only when each can serve every use of the other: same key and INCLUDE columns, order and
        // NULLS placement, collation, opclass, expressions, predicate, method, and uniqueness semantics
        // (UNIQUE, NULLS NOT DISTINCT from PostgreSQL 15, read through to_jsonb so 13 and 14 answer too,
        // deferrable, exclusion). (a, b) and (a, b DESC) serve different ORDER BYs; UNIQUE and UNIQUE NULLS
        // NOT DISTINCT enforce different rules. Expressions compare as deparsed text: the stored node trees
        // carry the position in each CREATE INDEX statement, so equal expressions never matched.
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
            GROUP BY n.nspname, c.relname, i.indrelid, i.indkey::text, i.indnkeyatts, i.indclass::text, i.indcollation::text,
                     i.indoption::text, coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), ''), ic.relam,
                     i.indisunique, i.indimmediate, i.indisexclusion, coalesce(to_jsonb(i) ->> 'indnullsnotdistinct', 'false')
            HAVING count(*) > 1
            """),
        new("unused_index",
            "The index has never been scanned since statistics were reset, yet every write maintains it and it takes space.",
            "Confirm on every replica and over a full business cycle, then DROP INDEX CONCURRENTLY.",
            """
            SELECT format('%I.%I on %I', s.schemaname, s.indexrelname, s.relname), 'info',
                   pg_size_pretty(ic.relpages::bigint * current_setting('block_size')::bigint)
            FROM pg_stat_user_indexes s
            JOIN pg_index i ON i.indexrelid = s.indexrelid
            -- relpages, not pg_relation_size(): that locks the index, and waits behind an ALTER of its table.
            JOIN pg_class ic ON ic.oid = s.indexrelid
            WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = s.indexrelid)
              AND ic.relpages::bigint * current_setting('block_size')::bigint > 1048576
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
            "Change the column and sequence to bigint (ALTER TABLE … ALTER COLUMN … TYPE bigint, ALTER SEQUENCE … AS bigint) before it runs out.",
            SequenceNearMaxSql),
        new("capacity_forecast",
            "At the rate of the stored capacity samples (least squares over the last 7 days, Monitoring:CapacitySampleInterval) this counter runs out in under 90 days: a sequence against the columns it feeds, transaction ids against wraparound, or the database against Monitoring:DatabaseSizeLimitBytes.",
            "Widen the sequence and its columns to bigint, plan the freeze vacuum, or grow the storage, before the day it runs out.",
            "SELECT object_name, level, detail FROM monitoring_history.capacity_findings()"),
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
