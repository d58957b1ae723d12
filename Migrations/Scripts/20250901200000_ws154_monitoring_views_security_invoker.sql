-- WS-154 follow-up (issue 15, advisor check security_definer_view): the four monitoring views ran
-- with their owner's rights, so whoever could select from them read pg_stat_activity and the
-- catalogs with the owner's privileges, and only the admin filter inside each view stood between a
-- caller and every session's query text. With security_invoker they read as the caller: the request
-- role already has everything they need (pg_read_all_stats for other sessions' rows of
-- pg_stat_activity, EXECUTE on monitoring_redact_query and the claim helpers, the statistics views
-- and catalogs every role may read), and the admin filter stays as the second guard.
-- ALTER VIEW ... SET keeps each view's definition and security_barrier; the script that created
-- them is applied and checksummed, so the change is a script of its own.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER VIEW monitoring_slow_queries SET (security_invoker = true);
ALTER VIEW monitoring_connections SET (security_invoker = true);
ALTER VIEW monitoring_table_health SET (security_invoker = true);
ALTER VIEW monitoring_rls_status SET (security_invoker = true);
