-- Repeatable (Migrations/Repeatable/): the monitoring_slow_queries view, stated once. up runs this file
-- again, after every versioned script, whenever its text changes: change it here, never in a new versioned
-- script (a test holds that). The versioned scripts that defined or altered it (20250825100000,
-- 20250901200000, 20250902100000) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
