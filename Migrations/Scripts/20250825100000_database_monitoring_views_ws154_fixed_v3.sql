-- WS-154 database monitoring: an event log, four live views over the statistics collector,
-- a health summary, event recording with notification, and retention clean-up.
-- Everything here is platform data for WedSync operators (claims role platform_admin); tenants
-- and their org admins see none of it. The migrator wraps the script in one transaction.

-- Wait briefly for locks instead of queueing behind a long transaction and blocking every
-- request that queues behind us; SET LOCAL ends with this script's transaction.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- pg_stat_statements backs GET /api/monitoring/query-stats. Managed servers may refuse it
-- (not allow-listed, not preloaded, no privilege), so its absence must not fail the migration:
-- the API checks pg_extension and answers a problem (501) instead.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_stat_statements not installed (%): query statistics stay unavailable', SQLERRM;
END
$$;

-- Why the request role gets pg_read_all_stats: pg_stat_activity (and pg_stat_statements) show
-- another session's query text, state and wait events only to roles with the privileges of
-- pg_read_all_stats. The API reads the views as wedsync_user (SET LOCAL ROLE), so without it a
-- platform admin would see '<insufficient privilege>' for every session but its own.
-- What keeps tenants out is not this privilege but the admin filter in every view below and
-- the admin check in every function; and the API never sends tenant-written SQL.
-- Note that SET ROLE is not a boundary against arbitrary SQL anyway (RESET ROLE returns to
-- the API login, which owns the schema), so the privilege adds no reach to an attacker who
-- could already run SQL. Managed servers may not let the migrator grant a predefined role:
-- then the views still work, only other sessions' text stays hidden, so the failure is a notice.
DO $$
BEGIN
    IF NOT pg_has_role('wedsync_user', 'pg_read_all_stats', 'MEMBER') THEN
        GRANT pg_read_all_stats TO wedsync_user;
    END IF;
EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
    RAISE NOTICE 'could not grant pg_read_all_stats to wedsync_user (%): monitoring views will show only the request role''s own sessions', SQLERRM;
END
$$;

CREATE TABLE IF NOT EXISTS monitoring_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type text NOT NULL
        CHECK (event_type IN ('slow_query', 'connection_issue', 'table_health', 'rls_violation', 'performance_alert')),
    -- Always an object so consumers can read keys without type checks; size is bounded by the function.
    event_data jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(event_data) = 'object'),
    severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The operator or service that recorded it (JWT sub); deliberately no foreign key to an auth schema.
    user_id uuid,
    source_ip inet,
    user_agent text CHECK (length(user_agent) <= 1000),
    resolved_at timestamptz,
    resolution_notes text CHECK (length(resolution_notes) <= 4000),
    -- Set by the background sampler (e.g. 'slow_query:pid:1234', 'rls:public.invoices') so that
    -- one condition keeps one open event instead of one per sampling tick.
    condition_key text CHECK (length(condition_key) BETWEEN 1 AND 200),
    CHECK (resolved_at IS NULL OR resolved_at >= created_at),
    CHECK (resolution_notes IS NULL OR resolved_at IS NOT NULL)
);

COMMENT ON TABLE monitoring_events IS
    'WS-154 monitoring event log (platform table, platform_admin only). condition_key + resolved_at IS NULL is unique: one open event per sampled condition.';

-- At most one OPEN event per condition: the sampler inserts with
-- ON CONFLICT (condition_key) WHERE resolved_at IS NULL DO NOTHING, and a resolved event frees the key.
CREATE UNIQUE INDEX IF NOT EXISTS ux_monitoring_events_open_condition
    ON monitoring_events (condition_key) WHERE resolved_at IS NULL;
-- The event list is filtered by time (and optionally type); the clean-up scans by age.
CREATE INDEX IF NOT EXISTS ix_monitoring_events_created_at ON monitoring_events (created_at);
CREATE INDEX IF NOT EXISTS ix_monitoring_events_type_created_at ON monitoring_events (event_type, created_at);
-- The summary and the dashboard count open events by severity on every tick; open events are few.
CREATE INDEX IF NOT EXISTS ix_monitoring_events_open_severity
    ON monitoring_events (severity, created_at) WHERE resolved_at IS NULL;

ALTER TABLE monitoring_events ENABLE ROW LEVEL SECURITY;

-- Only platform admins read or write events; an org OWNER/ADMIN is not a platform admin.
DROP POLICY IF EXISTS monitoring_events_platform_admin ON monitoring_events;
CREATE POLICY monitoring_events_platform_admin ON monitoring_events FOR ALL TO wedsync_user
    USING ((SELECT app.is_platform_admin()))
    WITH CHECK ((SELECT app.is_platform_admin()));

-- Resolving updates resolved_at/resolution_notes; the sampler may refresh an open event's data.
-- The identity columns of an event (type, time, who, where from) stay as recorded.
REVOKE ALL ON monitoring_events FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON monitoring_events TO wedsync_user;
GRANT UPDATE (event_data, severity, resolved_at, resolution_notes) ON monitoring_events TO wedsync_user;

-- One definition of "sensitive statement", shared by monitoring_slow_queries and by the API's
-- query-stats endpoint (pg_stat_statements texts), so both redact the same things.
-- Matching is deliberately broad: a false positive hides a harmless query, a false negative
-- shows a credential to whoever reads the dashboard.
CREATE OR REPLACE FUNCTION monitoring_redact_query(p_query text, p_max_length integer DEFAULT 500)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$
    SELECT CASE
        WHEN p_query IS NULL THEN NULL
        WHEN p_query ~* '(password|passwd|token|secret|api_key|apikey|private_key|credential|auth\.)'
          OR p_query ~* 'alter\s+(role|user)\s.*password'
            THEN '[REDACTED - SENSITIVE QUERY]'
        WHEN length(p_query) > greatest(coalesce(p_max_length, 500), 20)
            THEN left(p_query, greatest(coalesce(p_max_length, 500), 20) - 3) || '...'
        ELSE p_query
    END
$$;

COMMENT ON FUNCTION monitoring_redact_query(text, integer) IS
    'Returns [REDACTED - SENSITIVE QUERY] for statements that mention credentials or the auth schema, else the text truncated to p_max_length characters.';

-- The four views share one access rule, written into each view rather than relying on grants:
--   (SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user'
-- * As the request role they return rows only when the claims carry platform_admin; an org
--   admin, a tenant user or the service gets an empty result (the API answers 403 earlier).
-- * The migrator/owner and psql sessions of operators (not wedsync_user) see everything.
-- Views run with their owner's rights for the relations they read but evaluate current_user
-- and the claim functions as the caller, which is what the rule needs. security_barrier keeps
-- the filter from being reordered after a caller-supplied (possibly leaky) function.

CREATE OR REPLACE VIEW monitoring_slow_queries WITH (security_barrier = true) AS
SELECT
    a.pid,
    a.usename AS user_name,
    a.datname AS database_name,
    a.application_name,
    a.client_addr,
    a.state,
    a.wait_event_type,
    a.wait_event,
    a.backend_start,
    a.xact_start,
    a.query_start,
    round((extract(epoch FROM clock_timestamp() - a.query_start) * 1000)::numeric, 1) AS duration_ms,
    monitoring_redact_query(a.query, 500) AS query,
    monitoring_redact_query(a.query, 500) = '[REDACTED - SENSITIVE QUERY]' AS query_redacted
FROM pg_stat_activity a
WHERE a.backend_type = 'client backend'
  AND a.state IN ('active', 'fastpath function call')
  AND a.pid <> pg_backend_pid()
  AND a.query_start < clock_timestamp() - interval '100 milliseconds'
  AND ((SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user');

COMMENT ON VIEW monitoring_slow_queries IS
    'Statements of other client sessions running longer than 100 ms now; credential-looking text redacted, the rest truncated to 500 characters. Platform admins only when read as wedsync_user.';

CREATE OR REPLACE VIEW monitoring_connections WITH (security_barrier = true) AS
WITH settings AS (
    SELECT current_setting('max_connections')::integer AS max_connections,
           current_setting('superuser_reserved_connections')::integer AS reserved_connections
), backends AS (
    SELECT coalesce(a.datname, '(none)') AS database_name,
           coalesce(a.state, 'unknown') AS state,
           a.state_change,
           a.wait_event_type
    FROM pg_stat_activity a
    WHERE a.backend_type = 'client backend'
)
SELECT
    b.database_name,
    b.state,
    count(*)::integer AS connection_count,
    count(*) FILTER (WHERE b.wait_event_type = 'Lock')::integer AS waiting_on_lock,
    max(clock_timestamp() - b.state_change) AS longest_in_state,
    sum(count(*)) OVER ()::integer AS total_connections,
    s.max_connections,
    s.reserved_connections,
    round(100.0 * sum(count(*)) OVER () / s.max_connections, 2) AS utilization_pct
FROM backends b
CROSS JOIN settings s
WHERE ((SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user')
GROUP BY b.database_name, b.state, s.max_connections, s.reserved_connections;

COMMENT ON VIEW monitoring_connections IS
    'Client connections by database and state; total_connections and utilization_pct are server-wide against max_connections. Platform admins only when read as wedsync_user.';

CREATE OR REPLACE VIEW monitoring_table_health WITH (security_barrier = true) AS
SELECT
    s.schemaname AS schema_name,
    s.relname AS table_name,
    s.n_live_tup AS live_tuples,
    s.n_dead_tup AS dead_tuples,
    round(100.0 * s.n_dead_tup / nullif(s.n_live_tup + s.n_dead_tup, 0), 2) AS dead_pct,
    s.n_mod_since_analyze AS modified_since_analyze,
    s.last_vacuum,
    s.last_autovacuum,
    s.last_analyze,
    s.last_autoanalyze,
    s.seq_scan,
    s.seq_tup_read,
    coalesce(s.idx_scan, 0) AS idx_scan,
    round(100.0 * coalesce(s.idx_scan, 0) / nullif(s.seq_scan + coalesce(s.idx_scan, 0), 0), 2) AS index_usage_pct,
    pg_total_relation_size(s.relid) AS total_size_bytes,
    pg_size_pretty(pg_total_relation_size(s.relid)) AS total_size,
    -- Same thresholds the sampler and the summary use: enough dead rows to matter, and a large share.
    (s.n_dead_tup > 1000 AND s.n_dead_tup > 0.2 * (s.n_live_tup + s.n_dead_tup)) AS needs_vacuum
FROM pg_stat_user_tables s
WHERE ((SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user');

COMMENT ON VIEW monitoring_table_health IS
    'Per user table: live/dead tuples, dead %, last (auto)vacuum/analyze, sequential vs index scans, index usage %, size. Platform admins only when read as wedsync_user.';

CREATE OR REPLACE VIEW monitoring_rls_status WITH (security_barrier = true) AS
SELECT
    n.nspname AS schema_name,
    c.relname AS table_name,
    c.relrowsecurity AS rls_enabled,
    c.relforcerowsecurity AS rls_forced,
    (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::integer AS policy_count,
    CASE
        WHEN NOT c.relrowsecurity THEN 'HIGH'
        WHEN NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) THEN 'MEDIUM'
        ELSE 'LOW'
    END AS risk_level
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
  AND c.relkind IN ('r', 'p')
  -- Partitions inherit access through their parent; extension-owned tables are not ours to secure.
  AND NOT c.relispartition
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND ((SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user');

COMMENT ON VIEW monitoring_rls_status IS
    'Per table of schema public: RLS enabled, policy count, risk HIGH (no RLS) | MEDIUM (RLS, no policy) | LOW. Platform admins only when read as wedsync_user.';

REVOKE ALL ON monitoring_slow_queries, monitoring_connections, monitoring_table_health, monitoring_rls_status FROM PUBLIC;
GRANT SELECT ON monitoring_slow_queries, monitoring_connections, monitoring_table_health, monitoring_rls_status TO wedsync_user;

-- The functions are SECURITY INVOKER: they read the admin-filtered views and RLS-protected
-- events as the caller, and additionally refuse a non-admin request role with 42501 so the API
-- gets a clear "forbidden" instead of a misleadingly healthy empty summary.

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
           (array_agg(table_name ORDER BY table_name) FILTER (WHERE risk_level = 'HIGH'))[1:5],
           (array_agg(table_name ORDER BY table_name) FILTER (WHERE risk_level = 'MEDIUM'))[1:5]
      INTO v_rls_high, v_rls_medium, v_rls_high_names, v_rls_medium_names
      FROM monitoring_rls_status;

    SELECT count(*),
           (array_agg(schema_name || '.' || table_name ORDER BY dead_tuples DESC))[1:5]
      INTO v_vacuum_count, v_vacuum_names
      FROM monitoring_table_health
     WHERE needs_vacuum;

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
        v_recs := v_recs || format('%s table(s) in schema public have row-level security turned off (%s). Enable RLS and add organization policies before tenants can read each other''s rows.',
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
    'Health score 0-100 (100 minus capped penalties: slow queries, connection utilization, RLS risk, open high/critical events), status, metrics and plain-words recommendations.';

CREATE OR REPLACE FUNCTION record_db_monitoring_event(p_event_type text, p_severity text, p_event_data jsonb)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_id uuid;
    v_ip inet;
BEGIN
    IF current_user = 'wedsync_user' AND NOT coalesce(app.is_platform_admin(), false) THEN
        RAISE EXCEPTION 'recording monitoring events requires the platform_admin role'
            USING ERRCODE = '42501';
    END IF;
    IF p_event_type IS NULL OR p_event_type NOT IN ('slow_query', 'connection_issue', 'table_health', 'rls_violation', 'performance_alert') THEN
        RAISE EXCEPTION 'invalid event type %', coalesce(quote_literal(p_event_type), 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Use one of: slow_query, connection_issue, table_health, rls_violation, performance_alert.';
    END IF;
    IF p_severity IS NULL OR p_severity NOT IN ('low', 'medium', 'high', 'critical') THEN
        RAISE EXCEPTION 'invalid severity %', coalesce(quote_literal(p_severity), 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Use one of: low, medium, high, critical.';
    END IF;
    IF p_event_data IS NOT NULL AND jsonb_typeof(p_event_data) <> 'object' THEN
        RAISE EXCEPTION 'event data must be a JSON object, not %', jsonb_typeof(p_event_data)
            USING ERRCODE = '22023';
    END IF;
    -- An event is a pointer for a human, not a dump; a bound keeps a runaway caller from bloating the table.
    IF p_event_data IS NOT NULL AND octet_length(p_event_data::text) > 65536 THEN
        RAISE EXCEPTION 'event data is % bytes; at most 65536 are accepted', octet_length(p_event_data::text)
            USING ERRCODE = '22023';
    END IF;

    -- The API may pass the HTTP caller's address and agent the same way it passes the claims
    -- (transaction-local settings); a malformed address is dropped, not an error.
    BEGIN
        v_ip := nullif(current_setting('request.client_ip', true), '')::inet;
    EXCEPTION WHEN invalid_text_representation THEN
        v_ip := NULL;
    END;

    INSERT INTO monitoring_events (event_type, severity, event_data, user_id, source_ip, user_agent)
    VALUES (p_event_type, p_severity, coalesce(p_event_data, '{}'::jsonb), app.current_user_id(), v_ip,
            left(nullif(current_setting('request.user_agent', true), ''), 1000))
    RETURNING id INTO v_id;

    -- Delivered at commit, so listeners (the SSE stream) never see an event that rolled back.
    PERFORM pg_notify('monitoring_events',
                      json_build_object('id', v_id, 'type', p_event_type, 'severity', p_severity)::text);
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION record_db_monitoring_event(text, text, jsonb) IS
    'Validates (ERRCODE 22023), stores a monitoring event and notifies channel monitoring_events with {"id","type","severity"}; returns the id.';

CREATE OR REPLACE FUNCTION cleanup_monitoring_data(
    p_resolved_retention interval DEFAULT '30 days',
    p_unresolved_retention interval DEFAULT '7 days')
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_removed integer;
BEGIN
    IF current_user = 'wedsync_user' AND NOT coalesce(app.is_platform_admin(), false) THEN
        RAISE EXCEPTION 'cleaning up monitoring data requires the platform_admin role'
            USING ERRCODE = '42501';
    END IF;
    -- A zero or negative retention would delete events that were just recorded.
    IF p_resolved_retention IS NULL OR p_resolved_retention <= interval '0' THEN
        RAISE EXCEPTION 'resolved retention must be a positive interval, got %', coalesce(p_resolved_retention::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF p_unresolved_retention IS NULL OR p_unresolved_retention <= interval '0' THEN
        RAISE EXCEPTION 'unresolved retention must be a positive interval, got %', coalesce(p_unresolved_retention::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;

    -- Both arms also require the event itself to be older than the retention, so a recently
    -- recorded event is never removed whatever its resolution time says.
    DELETE FROM monitoring_events e
     WHERE (e.resolved_at IS NOT NULL
            AND e.resolved_at < now() - p_resolved_retention
            AND e.created_at < now() - p_resolved_retention)
        OR (e.resolved_at IS NULL
            AND e.created_at < now() - p_unresolved_retention);
    GET DIAGNOSTICS v_removed = ROW_COUNT;
    RETURN v_removed;
END
$$;

COMMENT ON FUNCTION cleanup_monitoring_data(interval, interval) IS
    'Deletes resolved events older than p_resolved_retention (default 30 days) and unresolved ones older than p_unresolved_retention (default 7 days); returns rows removed.';

-- Functions are executable by PUBLIC unless revoked; only the request role (and the owner) may call these.
REVOKE ALL ON FUNCTION monitoring_redact_query(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION get_db_monitoring_summary() FROM PUBLIC;
REVOKE ALL ON FUNCTION record_db_monitoring_event(text, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION cleanup_monitoring_data(interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION monitoring_redact_query(text, integer) TO wedsync_user;
GRANT EXECUTE ON FUNCTION get_db_monitoring_summary() TO wedsync_user;
GRANT EXECUTE ON FUNCTION record_db_monitoring_event(text, text, jsonb) TO wedsync_user;
GRANT EXECUTE ON FUNCTION cleanup_monitoring_data(interval, interval) TO wedsync_user;
