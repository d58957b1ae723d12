-- Issue 22, kind 4: a prepared transaction (PREPARE TRANSACTION) holds its locks with no backend behind it,
-- so no signal reaches it; only ROLLBACK PREPARED ends it. ROLLBACK PREPARED cannot run in a transaction
-- block (so not in a function): this function checks the caller, reads the target and records the audit
-- event in the request's transaction; the API then rolls the transaction back on a connection of its own
-- and commits the audit only when that worked.

SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';

CREATE OR REPLACE FUNCTION monitoring_audit_prepared_rollback(p_gid text)
RETURNS TABLE (status text, event_id uuid, database_name text, owner_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_target record;
    v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb);
    v_event uuid;
    v_ip inet;
BEGIN
    IF NOT coalesce(app.is_platform_admin(), false) THEN
        RAISE EXCEPTION 'rolling back prepared transactions requires the platform_admin role' USING ERRCODE = '42501';
    END IF;

    SELECT p.gid, p.transaction::text AS xid, p.owner::text AS owner, p.database::text AS database, p.prepared,
           extract(epoch FROM clock_timestamp() - p.prepared)::float8 AS age_seconds
      INTO v_target
      FROM pg_prepared_xacts p
     WHERE p.gid = p_gid;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::uuid, NULL::text, NULL::text;
        RETURN;
    END IF;

    BEGIN
        v_ip := nullif(current_setting('request.client_ip', true), '')::inet;
    EXCEPTION WHEN invalid_text_representation THEN
        v_ip := NULL;
    END;

    -- Recorded resolved like the cancel/terminate audit: it informs without counting as an open problem.
    INSERT INTO monitoring_events (event_type, severity, event_data, user_id, source_ip, user_agent, resolved_at, resolution_notes)
    VALUES ('performance_alert', 'medium',
            jsonb_build_object(
                'action', 'prepared_rollback',
                'gid', v_target.gid,
                'actor', jsonb_build_object('userId', app.current_user_id(), 'email', v_claims ->> 'email'),
                'target', jsonb_build_object(
                    'gid', v_target.gid,
                    'transactionId', v_target.xid,
                    'ownerName', v_target.owner,
                    'databaseName', v_target.database,
                    'preparedAt', v_target.prepared,
                    'ageSeconds', v_target.age_seconds)),
            app.current_user_id(),
            v_ip,
            left(nullif(current_setting('request.user_agent', true), ''), 1000),
            now(),
            'audit: ROLLBACK PREPARED of a prepared transaction by a platform admin')
    RETURNING id INTO v_event;

    PERFORM pg_notify('monitoring_events',
                      json_build_object('id', v_event, 'type', 'performance_alert', 'severity', 'medium')::text);
    RETURN QUERY SELECT 'found'::text, v_event, v_target.database, v_target.owner;
END
$$;

COMMENT ON FUNCTION monitoring_audit_prepared_rollback(text) IS
    'Platform admins: the audit event of a ROLLBACK PREPARED the API is about to run (status not_found | found, with the transaction''s database and owner).
advisor: allow definer_function_executable: the audit insert needs the owner''s rights on monitoring_events; the function checks app.is_platform_admin() first and records the actor.';

REVOKE ALL ON FUNCTION monitoring_audit_prepared_rollback(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION monitoring_audit_prepared_rollback(text) TO wedsync_user;
