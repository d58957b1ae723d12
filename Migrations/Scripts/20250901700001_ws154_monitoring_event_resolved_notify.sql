-- WS-154 operator console: a resolved event leaves the live Overview as a new one enters it.
-- New events are announced on channel monitoring_events (by record_db_monitoring_event and the
-- sampler); resolutions were announced nowhere, so an open-events list stayed stale until reloaded.
-- A trigger announces every resolution on channel monitoring_events_resolved, whoever resolves
-- (the sampler's cleared conditions, the API, the console, an operator's psql), after commit as
-- NOTIFY always is. Its own channel: the API's event stream keeps announcing new events only.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';

CREATE OR REPLACE FUNCTION monitoring_events_notify_resolved()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM pg_notify('monitoring_events_resolved',
        json_build_object('id', NEW.id, 'type', NEW.event_type, 'severity', NEW.severity)::text);
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION monitoring_events_notify_resolved() IS
    'AFTER UPDATE trigger of monitoring_events: announces each event that became resolved on channel monitoring_events_resolved (the console''s live pages).';

REVOKE ALL ON FUNCTION monitoring_events_notify_resolved() FROM PUBLIC;

DROP TRIGGER IF EXISTS monitoring_events_notify_resolved ON monitoring_events;
CREATE TRIGGER monitoring_events_notify_resolved
    AFTER UPDATE OF resolved_at ON monitoring_events
    FOR EACH ROW WHEN (OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL)
    EXECUTE FUNCTION monitoring_events_notify_resolved();
