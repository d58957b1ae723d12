-- EXPLAIN (ANALYZE, BUFFERS) of the WS-154 views as the request role with platform-admin claims.
\set ON_ERROR_STOP on
BEGIN;
SET LOCAL ROLE wedsync_user;
SELECT set_config('request.jwt.claims', json_build_object('sub', md5('bench-ops-0')::uuid, 'roles', json_build_array('platform_admin'))::text, true) \g /dev/null

\echo ### monitoring_rls_status
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM monitoring_rls_status;
\echo ### monitoring_table_health
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM monitoring_table_health;
\echo ### monitoring_connections
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM monitoring_connections;
\echo ### monitoring_slow_queries
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM monitoring_slow_queries;
\echo ### get_db_monitoring_summary()
EXPLAIN (ANALYZE, BUFFERS) SELECT get_db_monitoring_summary();
ROLLBACK;
