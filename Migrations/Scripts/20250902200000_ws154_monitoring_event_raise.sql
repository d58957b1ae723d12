-- WS-154 follow-up (issue 22, kind 2): an event is a condition, not a snapshot. While a sampled
-- condition lasts and worsens (a statement runs longer, more sessions wait on one lock, connection use
-- climbs), the sampler raises its open event's severity in place: raised_at says when, and
-- severity_history keeps every level with its time and data. The insert trigger enqueued alerts for the
-- first severity only, so a subscription for 'high' never heard of an event first seen at 'medium'.
-- A second trigger enqueues, on each raise, one outbox row per subscription the new severity matches
-- and the old one did not: every subscription hears of an event once, when it first qualifies.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';

-- Nullable, no default: only the catalog changes (no rewrite, no scan under the brief lock).
ALTER TABLE monitoring_events ADD COLUMN IF NOT EXISTS raised_at timestamptz;
ALTER TABLE monitoring_events ADD COLUMN IF NOT EXISTS severity_history jsonb;

COMMENT ON COLUMN monitoring_events.raised_at IS
    'When the sampler last raised this open event''s severity (its condition worsened); NULL: never raised.';
COMMENT ON COLUMN monitoring_events.severity_history IS
    'Every severity the event had, oldest first: [{"severity", "at", "eventData"}]; NULL: never raised.';

-- SECURITY DEFINER for the same reason as monitoring_events_enqueue_alerts: the raising role need not
-- write the outbox; the rows are derived from NEW and OLD only.
CREATE OR REPLACE FUNCTION monitoring_events_enqueue_raise_alerts()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_levels CONSTANT text[] := ARRAY['low', 'medium', 'high', 'critical']::text[];
BEGIN
    INSERT INTO webhook_outbox (subscription_id, message_type, payload, summary)
    SELECT s.id,
           'monitoring.' || NEW.event_type,
           jsonb_build_object(
               'type', 'monitoring.' || NEW.event_type,
               'timestamp', coalesce(NEW.raised_at, now()),
               'data', jsonb_build_object(
                   'id', NEW.id,
                   'eventType', NEW.event_type,
                   'severity', NEW.severity,
                   'previousSeverity', OLD.severity,
                   'eventData', NEW.event_data,
                   'createdAt', NEW.created_at,
                   'raisedAt', NEW.raised_at,
                   'conditionKey', NEW.condition_key,
                   'resolvedAt', NEW.resolved_at)),
           left(format('[%s] WedSync monitoring: %s raised from %s %s', upper(NEW.severity), NEW.event_type, OLD.severity, NEW.event_data::text), 4000)
    FROM webhook_subscriptions s
    JOIN monitoring_alert_filters f ON f.subscription_id = s.id
    WHERE s.topic = 'monitoring'
      AND array_position(v_levels, NEW.severity) >= array_position(v_levels, f.minimum_severity)
      AND array_position(v_levels, OLD.severity) < array_position(v_levels, f.minimum_severity)
      AND (f.event_types IS NULL OR NEW.event_type = ANY (f.event_types));

    -- Its own channel, like resolutions: the stream's new-event channel keeps meaning "new".
    PERFORM pg_notify('monitoring_events_raised',
        json_build_object('id', NEW.id, 'type', NEW.event_type, 'severity', NEW.severity, 'previousSeverity', OLD.severity)::text);
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION monitoring_events_enqueue_raise_alerts() IS
    'AFTER UPDATE OF severity trigger of monitoring_events: when an open event is raised, one webhook_outbox row per monitoring alert subscription the new severity matches and the old one did not; announced on channel monitoring_events_raised.';

REVOKE ALL ON FUNCTION monitoring_events_enqueue_raise_alerts() FROM PUBLIC;

DROP TRIGGER IF EXISTS monitoring_events_enqueue_raise_alerts ON monitoring_events;
CREATE TRIGGER monitoring_events_enqueue_raise_alerts
    AFTER UPDATE OF severity ON monitoring_events
    FOR EACH ROW
    WHEN (OLD.resolved_at IS NULL AND NEW.resolved_at IS NULL
          AND array_position(ARRAY['low', 'medium', 'high', 'critical']::text[], NEW.severity)
              > array_position(ARRAY['low', 'medium', 'high', 'critical']::text[], OLD.severity))
    EXECUTE FUNCTION monitoring_events_enqueue_raise_alerts();
