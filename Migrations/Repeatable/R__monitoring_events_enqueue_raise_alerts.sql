-- Repeatable (Migrations/Repeatable/): the monitoring_events trigger function that enqueues raise alerts,
-- stated once. up runs this file again, after every versioned script, whenever its text changes: change it
-- here, never in a new versioned script (a test holds that). The versioned scripts that defined or altered it
-- (20250902200000, 20250903100000) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
      AND (f.event_types IS NULL OR NEW.event_type = ANY (f.event_types));

    PERFORM pg_notify('monitoring_events_raised',
        json_build_object('id', NEW.id, 'type', NEW.event_type, 'severity', NEW.severity, 'previousSeverity', OLD.severity)::text);
    RETURN NULL;
END
$$;
