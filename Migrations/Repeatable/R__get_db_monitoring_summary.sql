-- Repeatable (Migrations/Repeatable/): the monitoring summary function, stated once. up runs this file
-- again, after every versioned script, whenever its text changes; change the function here, never in a
-- new versioned script. The versioned scripts that restated it (20250825100000, 20250825100001,
-- 20250901100002, 20250901200005) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION get_db_monitoring_summary()
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_slow_count integer;
    v_longest_ms numeric;
    v_total_conn integer;
    v_active_conn integer;
    v_idle_in_tx integer;
    v_max_conn integer := current_setting('max_connections')::integer;
    v_util numeric;
    v_rls_high integer;
    v_rls_medium integer;
    v_rls_high_names text[];
    v_rls_medium_names text[];
    v_vacuum_count integer;
    v_vacuum_names text[];
    v_open_critical integer;
    v_open_high integer;
    v_open_total integer;
    v_pen_slow integer;
    v_pen_conn integer;
    v_pen_rls integer;
    v_pen_events integer;
    v_score integer;
    v_recs text[] := ARRAY[]::text[];
BEGIN
    IF current_user = 'wedsync_user' AND NOT coalesce(app.is_platform_admin(), false) THEN
        RAISE EXCEPTION 'database monitoring requires the platform_admin role'
            USING ERRCODE = '42501';
    END IF;

    SELECT count(*), coalesce(max(duration_ms), 0)
      INTO v_slow_count, v_longest_ms
      FROM monitoring_slow_queries;

    SELECT count(*),
           count(*) FILTER (WHERE a.state = 'active'),
           count(*) FILTER (WHERE a.state IN ('idle in transaction', 'idle in transaction (aborted)'))
      INTO v_total_conn, v_active_conn, v_idle_in_tx
      FROM pg_stat_activity a
     WHERE a.backend_type = 'client backend';
    v_util := round(100.0 * v_total_conn / v_max_conn, 2);

    SELECT count(*) FILTER (WHERE risk_level = 'HIGH'),
           count(*) FILTER (WHERE risk_level = 'MEDIUM'),
           (array_agg(format('%s.%s (%s)', schema_name, table_name, reason) ORDER BY schema_name, table_name) FILTER (WHERE risk_level = 'HIGH'))[1:5],
           (array_agg(schema_name || '.' || table_name ORDER BY schema_name, table_name) FILTER (WHERE risk_level = 'MEDIUM'))[1:5]
      INTO v_rls_high, v_rls_medium, v_rls_high_names, v_rls_medium_names
      FROM monitoring_rls_status s
     -- An accepted exception costs the score nothing (monitoring_rls_exception_accepted).
     WHERE s.risk_level IN ('HIGH', 'MEDIUM') AND NOT monitoring_rls_exception_accepted(s.schema_name, s.table_name);

    SELECT count(*),
           (array_agg(schemaname || '.' || relname ORDER BY n_dead_tup DESC))[1:5]
      INTO v_vacuum_count, v_vacuum_names
      FROM pg_stat_user_tables
     -- The thresholds of monitoring_table_health.needs_vacuum.
     WHERE n_dead_tup > 1000 AND n_dead_tup > 0.2 * (n_live_tup + n_dead_tup);

    SELECT count(*) FILTER (WHERE severity = 'critical'),
           count(*) FILTER (WHERE severity = 'high'),
           count(*)
      INTO v_open_critical, v_open_high, v_open_total
      FROM monitoring_events
     WHERE resolved_at IS NULL;

    -- Penalties are capped per area so that one bad area cannot hide the others' signal,
    -- and their sum is clamped to 0..100.
    v_pen_slow := least(25, v_slow_count * 5);
    v_pen_conn := CASE WHEN v_util >= 90 THEN 30 WHEN v_util >= 80 THEN 20 WHEN v_util >= 60 THEN 10 ELSE 0 END;
    v_pen_rls := least(30, v_rls_high * 10 + v_rls_medium * 5);
    v_pen_events := least(20, v_open_critical * 10 + v_open_high * 5);
    v_score := greatest(0, least(100, 100 - v_pen_slow - v_pen_conn - v_pen_rls - v_pen_events));

    IF v_slow_count > 0 THEN
        v_recs := v_recs || format('%s statement(s) have been running for more than 100 ms (the longest for %s ms). Look at monitoring_slow_queries: add the missing index or cancel the statement.',
                                   v_slow_count, round(v_longest_ms));
    END IF;
    IF v_util >= 80 THEN
        v_recs := v_recs || format('Connections are at %s%% of max_connections (%s of %s). Put a connection pooler in front of the database or lower the application pool sizes.',
                                   v_util, v_total_conn, v_max_conn);
    END IF;
    IF v_idle_in_tx > 0 THEN
        v_recs := v_recs || format('%s session(s) sit idle inside an open transaction; they hold locks and keep vacuum from cleaning up. Find and fix the code that leaves transactions open.',
                                   v_idle_in_tx);
    END IF;
    IF v_rls_high > 0 THEN
        v_recs := v_recs || format('%s relation(s) let the request role reach rows without row-level security, or are one GRANT from it (%s). Enable RLS with organization policies, revoke the grant, or make the view security_invoker before tenants can read each other''s rows.',
                                   v_rls_high, array_to_string(v_rls_high_names, ', '));
    END IF;
    IF v_rls_medium > 0 THEN
        v_recs := v_recs || format('%s table(s) have row-level security on but no policy (%s), so the request role sees no rows in them. Add the policies.',
                                   v_rls_medium, array_to_string(v_rls_medium_names, ', '));
    END IF;
    IF v_vacuum_count > 0 THEN
        v_recs := v_recs || format('%s table(s) have more than 20%% dead rows (%s). Run VACUUM (ANALYZE) on them or make autovacuum more aggressive for them.',
                                   v_vacuum_count, array_to_string(v_vacuum_names, ', '));
    END IF;
    IF v_open_critical + v_open_high > 0 THEN
        v_recs := v_recs || format('%s high or critical monitoring event(s) are unresolved. Investigate and resolve them.',
                                   v_open_critical + v_open_high);
    END IF;
    IF cardinality(v_recs) = 0 THEN
        v_recs := ARRAY['The database is healthy; no action needed.']::text[];
    END IF;

    RETURN jsonb_build_object(
        'healthScore', v_score,
        'status', CASE WHEN v_score >= 90 THEN 'excellent' WHEN v_score >= 75 THEN 'good'
                       WHEN v_score >= 50 THEN 'fair' ELSE 'poor' END,
        'generatedAt', now(),
        'metrics', jsonb_build_object(
            'slowQueries', v_slow_count,
            'longestQueryMs', v_longest_ms,
            'connections', v_total_conn,
            'activeConnections', v_active_conn,
            'idleInTransaction', v_idle_in_tx,
            'maxConnections', v_max_conn,
            'connectionUtilizationPct', v_util,
            'tablesRlsHighRisk', v_rls_high,
            'tablesRlsMediumRisk', v_rls_medium,
            'tablesNeedingVacuum', v_vacuum_count,
            'openEvents', v_open_total,
            'openCriticalEvents', v_open_critical,
            'openHighEvents', v_open_high,
            'pgStatStatementsInstalled', EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')),
        'penalties', jsonb_build_object(
            'slowQueries', v_pen_slow,
            'connectionUtilization', v_pen_conn,
            'rlsRisk', v_pen_rls,
            'unresolvedEvents', v_pen_events),
        'recommendations', to_jsonb(v_recs));
END
$$;

COMMENT ON FUNCTION get_db_monitoring_summary() IS
    'Health score 0-100 (100 minus capped penalties: slow queries, connection utilization, RLS risk of every relation the request role reaches, open high/critical events), status, metrics and plain-words recommendations.';

-- Functions are executable by PUBLIC unless revoked; only the request role (and the owner) may call it.
REVOKE ALL ON FUNCTION get_db_monitoring_summary() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_db_monitoring_summary() TO wedsync_user;
