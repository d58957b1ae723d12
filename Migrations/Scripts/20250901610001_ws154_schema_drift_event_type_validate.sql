-- WS-154 follow-up (issue 14): validates the constraints the previous script widened NOT VALID. Every
-- existing row already held one of the old types, so this only records that fact; VALIDATE takes a
-- SHARE UPDATE EXCLUSIVE lock, so reads and writes go on meanwhile.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE monitoring_events VALIDATE CONSTRAINT monitoring_events_event_type_check;
ALTER TABLE monitoring_alert_filters VALIDATE CONSTRAINT monitoring_alert_filters_event_types_check;
