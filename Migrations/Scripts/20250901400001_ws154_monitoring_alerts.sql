-- WS-154 follow-up (issue 17): monitoring events reach a person through webhooks.
-- A monitoring alert subscription is a webhook subscription of topic 'monitoring' plus the filter
-- below. A trigger on monitoring_events writes one outbox row per matching subscription in the
-- transaction that inserts the event, whoever inserts it (record_db_monitoring_event, the sampler's
-- conditions, an operator's psql): the event and its deliveries commit or roll back together.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS monitoring_alert_filters (
    subscription_id uuid PRIMARY KEY REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    -- Events of this severity or above are delivered (low < medium < high < critical).
    minimum_severity text NOT NULL CHECK (minimum_severity IN ('low', 'medium', 'high', 'critical')),
    -- NULL: every type; otherwise only these (the types monitoring_events accepts).
    event_types text[] CHECK (
        event_types IS NULL
        OR (cardinality(event_types) >= 1
            AND event_types <@ ARRAY['slow_query', 'connection_issue', 'table_health', 'rls_violation', 'performance_alert']::text[]))
);

COMMENT ON TABLE monitoring_alert_filters IS
    'Which monitoring events a webhook subscription of topic monitoring receives: minimum severity and optional event types.';

ALTER TABLE monitoring_alert_filters ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS monitoring_alert_filters_platform_admin ON monitoring_alert_filters;
CREATE POLICY monitoring_alert_filters_platform_admin ON monitoring_alert_filters FOR ALL TO wedsync_user
    USING ((SELECT app.is_platform_admin()))
    WITH CHECK ((SELECT app.is_platform_admin()));
REVOKE ALL ON monitoring_alert_filters FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON monitoring_alert_filters TO wedsync_user;

-- SECURITY DEFINER: the inserting role (the request role of an admin, or the API's login for the
-- sampler) need not write the outbox itself; the function writes only rows derived from NEW.
CREATE OR REPLACE FUNCTION monitoring_events_enqueue_alerts()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    INSERT INTO webhook_outbox (subscription_id, message_type, payload, summary)
    SELECT s.id,
           'monitoring.' || NEW.event_type,
           jsonb_build_object(
               'type', 'monitoring.' || NEW.event_type,
               'timestamp', NEW.created_at,
               'data', jsonb_build_object(
                   'id', NEW.id,
                   'eventType', NEW.event_type,
                   'severity', NEW.severity,
                   'eventData', NEW.event_data,
                   'createdAt', NEW.created_at,
                   'conditionKey', NEW.condition_key,
                   'resolvedAt', NEW.resolved_at)),
           left(format('[%s] WedSync monitoring: %s %s', upper(NEW.severity), NEW.event_type, NEW.event_data::text), 4000)
    FROM webhook_subscriptions s
    JOIN monitoring_alert_filters f ON f.subscription_id = s.id
    WHERE s.topic = 'monitoring'
      AND array_position(ARRAY['low', 'medium', 'high', 'critical']::text[], NEW.severity)
          >= array_position(ARRAY['low', 'medium', 'high', 'critical']::text[], f.minimum_severity)
      AND (f.event_types IS NULL OR NEW.event_type = ANY (f.event_types));
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION monitoring_events_enqueue_alerts() IS
    'AFTER INSERT trigger of monitoring_events: one webhook_outbox row per matching monitoring alert subscription (paused ones too: they are delivered once resumed).';

REVOKE ALL ON FUNCTION monitoring_events_enqueue_alerts() FROM PUBLIC;

DROP TRIGGER IF EXISTS monitoring_events_enqueue_alerts ON monitoring_events;
CREATE TRIGGER monitoring_events_enqueue_alerts
    AFTER INSERT ON monitoring_events
    FOR EACH ROW EXECUTE FUNCTION monitoring_events_enqueue_alerts();

-- Cancel or terminate another client backend for a platform admin, and record who did it, in one
-- call. SECURITY DEFINER because signalling needs the owner's rights (pg_signal_backend or
-- superuser), which the request role must not have for anything else. Returns a status instead of
-- raising so the API can answer 404/409 with nothing written:
--   not_found: no backend with that pid; own_session: the caller's own backend;
--   not_client: an autovacuum worker, walsender, background worker...;
--   not_permitted: the database refused (a superuser's backend on a managed server);
--   signalled / gone: the signal was sent, or the backend ended before it arrived (both audited).
CREATE OR REPLACE FUNCTION monitoring_signal_backend(p_pid integer, p_action text)
RETURNS TABLE (status text, event_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_target record;
    v_signalled boolean;
    v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb);
    v_event uuid;
    v_ip inet;
BEGIN
    IF NOT coalesce(app.is_platform_admin(), false) THEN
        RAISE EXCEPTION 'signalling backends requires the platform_admin role' USING ERRCODE = '42501';
    END IF;
    IF p_action IS NULL OR p_action NOT IN ('cancel', 'terminate') THEN
        RAISE EXCEPTION 'invalid action %', coalesce(quote_literal(p_action), 'NULL') USING ERRCODE = '22023';
    END IF;

    SELECT a.pid, a.backend_type, a.usename, a.datname, a.application_name, host(a.client_addr) AS client_addr,
           a.state, monitoring_redact_query(a.query, 500) AS query
      INTO v_target
      FROM pg_stat_activity a
     WHERE a.pid = p_pid;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::uuid;
        RETURN;
    END IF;
    IF p_pid = pg_backend_pid() THEN
        RETURN QUERY SELECT 'own_session'::text, NULL::uuid;
        RETURN;
    END IF;
    IF v_target.backend_type IS DISTINCT FROM 'client backend' THEN
        RETURN QUERY SELECT 'not_client'::text, NULL::uuid;
        RETURN;
    END IF;

    BEGIN
        IF p_action = 'cancel' THEN
            v_signalled := pg_cancel_backend(p_pid);
        ELSE
            v_signalled := pg_terminate_backend(p_pid);
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN
        RETURN QUERY SELECT 'not_permitted'::text, NULL::uuid;
        RETURN;
    END;

    -- The HTTP caller's address as record_db_monitoring_event reads it; a malformed one is dropped.
    BEGIN
        v_ip := nullif(current_setting('request.client_ip', true), '')::inet;
    EXCEPTION WHEN invalid_text_representation THEN
        v_ip := NULL;
    END;

    -- The audit record: recorded resolved, so it informs without counting as an open problem.
    INSERT INTO monitoring_events (event_type, severity, event_data, user_id, source_ip, user_agent, resolved_at, resolution_notes)
    VALUES ('performance_alert',
            CASE WHEN p_action = 'terminate' THEN 'medium' ELSE 'low' END,
            jsonb_build_object(
                'action', 'session_' || p_action,
                'pid', p_pid,
                'signalled', v_signalled,
                'actor', jsonb_build_object('userId', app.current_user_id(), 'email', v_claims ->> 'email'),
                'target', jsonb_build_object(
                    'userName', v_target.usename,
                    'databaseName', v_target.datname,
                    'applicationName', v_target.application_name,
                    'clientAddr', v_target.client_addr,
                    'state', v_target.state,
                    'query', v_target.query)),
            app.current_user_id(),
            v_ip,
            left(nullif(current_setting('request.user_agent', true), ''), 1000),
            now(),
            format('audit: %s of backend %s by a platform admin', p_action, p_pid))
    RETURNING id INTO v_event;

    PERFORM pg_notify('monitoring_events',
                      json_build_object('id', v_event, 'type', 'performance_alert',
                                        'severity', CASE WHEN p_action = 'terminate' THEN 'medium' ELSE 'low' END)::text);
    RETURN QUERY SELECT CASE WHEN v_signalled THEN 'signalled' ELSE 'gone' END, v_event;
END
$$;

COMMENT ON FUNCTION monitoring_signal_backend(integer, text) IS
    'Platform admins: pg_cancel_backend/pg_terminate_backend of another client backend, audited as a resolved performance_alert event naming the actor. Returns status not_found | own_session | not_client | not_permitted | signalled | gone.
advisor: allow definer_function_executable: signalling another backend needs pg_signal_backend, which the request role must not hold; the function checks app.is_platform_admin() first, acts only on client backends, and records the actor.';

REVOKE ALL ON FUNCTION monitoring_signal_backend(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION monitoring_signal_backend(integer, text) TO wedsync_user;
