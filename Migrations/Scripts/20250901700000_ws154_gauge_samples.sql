-- WS-154 operator console: the seven monitoring gauges over time, for the Overview's sparklines.
-- The sampler publishes them as OpenTelemetry gauges only (a metrics backend may keep them, the
-- database did not); this keeps one row per Monitoring:GaugeHistoryInterval, deleted after
-- Monitoring:GaugeHistoryRetention by the same writer. A day at one row a minute is 1,440 rows.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';

CREATE TABLE IF NOT EXISTS monitoring_history.gauge_samples (
    sampled_at timestamptz PRIMARY KEY,
    connections_in_use integer NOT NULL,
    connection_utilization_pct double precision NOT NULL,
    slow_queries integer NOT NULL,
    tables_rls_high_risk integer NOT NULL,
    tables_rls_medium_risk integer NOT NULL,
    tables_needing_vacuum integer NOT NULL,
    open_critical_events integer NOT NULL,
    health_score integer NOT NULL
);

COMMENT ON TABLE monitoring_history.gauge_samples IS
    'The WedSync.Monitoring gauges as the sampler published them, one row per Monitoring:GaugeHistoryInterval (Overview sparklines).';

-- Like every history table: written and read by the API's own login (the owner); RLS with a
-- platform-admin read policy keeps the house rule should a grant ever be added.
ALTER TABLE monitoring_history.gauge_samples ENABLE ROW LEVEL SECURITY;
CREATE POLICY gauge_samples_platform_admin_read ON monitoring_history.gauge_samples FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
REVOKE ALL ON monitoring_history.gauge_samples FROM PUBLIC;
