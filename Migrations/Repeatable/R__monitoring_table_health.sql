-- Repeatable (Migrations/Repeatable/): the monitoring_table_health view, stated once. up runs this file
-- again, after every versioned script, whenever its text changes: change it here, never in a new versioned
-- script (a test holds that). The versioned scripts that defined or altered it (20250825100000,
-- 20250901200000, 20250902100000) stay: they are journaled, and on an empty database they still run first.
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
