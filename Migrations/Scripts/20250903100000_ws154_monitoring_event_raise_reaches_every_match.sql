-- WS-154 follow-up (issue 22, kind 2): each raise is delivered to every subscription it now matches.
-- The first raise trigger told only the subscriptions the new severity matched and the old one did not,
-- so the on-call engineer subscribed at 'medium' never heard that the statement paging them went
-- critical. Now every subscription the new severity matches hears of each raise (payload carries
-- previousSeverity, so a receiver can tell an escalation from a new event).
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';

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

COMMENT ON FUNCTION monitoring_events_enqueue_raise_alerts() IS
    'AFTER UPDATE OF severity trigger of monitoring_events: when an open event is raised, one webhook_outbox row per monitoring alert subscription the new severity matches (previousSeverity in the payload); announced on channel monitoring_events_raised.';
