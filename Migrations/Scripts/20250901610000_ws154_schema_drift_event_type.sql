-- WS-154 follow-up (issue 14): the monitoring sampler records live-schema drift (objects added, changed
-- or dropped outside migrations since the migrator's last recorded fingerprint) as events of type
-- schema_drift. monitoring_events and the alert subscriptions' type filter accept the new type.
-- record_db_monitoring_event keeps refusing it: only the sampler, which compares the schema with the
-- fingerprint, records drift.
-- The widened constraints are added NOT VALID (no scan under the ACCESS EXCLUSIVE lock; new rows are
-- checked at once) and validated by the next script, in a transaction of its own that takes only
-- SHARE UPDATE EXCLUSIVE.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE monitoring_events DROP CONSTRAINT IF EXISTS monitoring_events_event_type_check;
ALTER TABLE monitoring_events ADD CONSTRAINT monitoring_events_event_type_check
    CHECK (event_type IN ('slow_query', 'connection_issue', 'table_health', 'rls_violation', 'performance_alert', 'schema_drift')) NOT VALID;

ALTER TABLE monitoring_alert_filters DROP CONSTRAINT IF EXISTS monitoring_alert_filters_event_types_check;
ALTER TABLE monitoring_alert_filters ADD CONSTRAINT monitoring_alert_filters_event_types_check
    CHECK (
        event_types IS NULL
        OR (cardinality(event_types) >= 1
            AND event_types <@ ARRAY['slow_query', 'connection_issue', 'table_health', 'rls_violation', 'performance_alert', 'schema_drift']::text[])) NOT VALID;
