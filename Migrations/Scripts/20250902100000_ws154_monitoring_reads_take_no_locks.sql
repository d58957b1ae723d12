-- Issue 22 (kind: monitoring waits behind what it should report). monitoring_table_health called
-- pg_total_relation_size(), which opens every table with AccessShareLock: one session holding
-- ACCESS EXCLUSIVE on a table (LOCK TABLE, a long ALTER, or an ALTER queued behind a reader) made
-- GET /api/monitoring/tables wait for it. Sizes now come from pg_class.relpages of the table, its
-- TOAST table and every index (as of the last VACUUM, ANALYZE or CREATE INDEX), read without locks.
-- monitoring_slow_queries leaves out the API's own monitoring statements (application_name
-- wedsync-monitoring, set transaction-locally by the API, under the same login as the reader), so a
-- monitoring read that waits on a lock is not reported as one of the slow statements it is reporting.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE VIEW monitoring_table_health WITH (security_barrier = true, security_invoker = true) AS
WITH sized AS (
    SELECT s.*,
           (c.relpages::bigint
            + coalesce((SELECT t.relpages::bigint FROM pg_class t WHERE t.oid = c.reltoastrelid), 0)
            + coalesce((SELECT sum(i.relpages)::bigint FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                        WHERE x.indrelid = c.oid OR x.indrelid = c.reltoastrelid), 0))
           * current_setting('block_size')::bigint AS size_bytes
    FROM pg_stat_user_tables s
    JOIN pg_class c ON c.oid = s.relid
)
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
    s.size_bytes AS total_size_bytes,
    pg_size_pretty(s.size_bytes) AS total_size,
    -- Same thresholds the sampler and the summary use: enough dead rows to matter, and a large share.
    (s.n_dead_tup > 1000 AND s.n_dead_tup > 0.2 * (s.n_live_tup + s.n_dead_tup)) AS needs_vacuum
FROM sized s
WHERE ((SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user');

COMMENT ON VIEW monitoring_table_health IS
    'Per-table statistics; total_size_bytes is estimated from pg_class.relpages (table, TOAST, indexes; as of the last VACUUM/ANALYZE/CREATE INDEX) so that no lock is taken and a locked table never holds the view back. Platform admins only when read as wedsync_user.';

CREATE OR REPLACE VIEW monitoring_slow_queries WITH (security_barrier = true, security_invoker = true) AS
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
  -- The API's own monitoring reads (bounded by lock_timeout/statement_timeout): only those of this login.
  AND NOT (a.application_name = 'wedsync-monitoring' AND a.usename = session_user)
  AND ((SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user');

COMMENT ON VIEW monitoring_slow_queries IS
    'Statements of other client sessions running longer than 100 ms now, except the API''s own monitoring reads (application_name wedsync-monitoring under the reading login); credential-looking text redacted, the rest truncated to 500 characters. Platform admins only when read as wedsync_user.';
