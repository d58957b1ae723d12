-- WS-154 follow-up (issue 15, kind 4): credentials without a trigger word passed the redaction.
-- monitoring_redact_query looked for words (password, token, secret...), so a connection URI with
-- user info ('postgresql://replicator:S3cret@10.0.0.9/prod'), a key=value connection string
-- ('host=10.0.0.9 user=replicator') or the conninfo of ALTER SYSTEM / CREATE SUBSCRIPTION / dblink /
-- a user mapping showed verbatim in slow-queries and query-stats.
-- The rule now lives in one function, monitoring_is_sensitive_text, used by monitoring_redact_query
-- (slow-queries view, query-stats) and by monitoring_redact_json (event data in every events
-- endpoint), so every place that shows statement text redacts the same things.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION monitoring_is_sensitive_text(p_text text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$
    SELECT p_text IS NOT NULL AND (
        -- Words that name a credential, and the auth schema.
        p_text ~* '(password|passwd|token|secret|api_key|apikey|private_key|credential|auth\.)'
        -- A URI with user info, any scheme: postgres://u:p@h, postgresql://u@h, mysql://, redis://:p@h, https://u:p@h.
        OR p_text ~* '[a-z][a-z0-9+.-]*://[^\s/?#@''"]+@'
        -- A key=value connection string inside a literal ('host=... user=...', 'dbname=...').
        OR p_text ~* '''[^'']*\m(host|hostaddr|dbname|user|passfile|service|sslkey|sslcert|sslpassword)\s*=[^'']*'''
        -- ... or as the whole text (a value of event data: 'host=10.0.0.9 user=replicator').
        OR (p_text ~ '^\s*\w+\s*=\s*\S+(\s+\w+\s*=\s*\S+)*\s*$'
            AND p_text ~* '\m(host|hostaddr|dbname|user|passfile|service|sslkey|sslcert|sslpassword)\s*=')
        -- Statements whose very purpose is a connection string or a remote login.
        OR p_text ~* '\m(primary_conninfo|conninfo)\M'
        OR p_text ~* '\m(create|alter)\s+(subscription|user\s+mapping)\M'
        OR p_text ~* '\mdblink\w*\s*\('
    )
$$;

COMMENT ON FUNCTION monitoring_is_sensitive_text(text) IS
    'True when the text may hold a credential: credential words, the auth schema, a URI with user info, a key=value connection string, conninfo settings, subscriptions, user mappings, dblink calls. The one rule every monitoring redaction uses.';

CREATE OR REPLACE FUNCTION monitoring_redact_query(p_query text, p_max_length integer DEFAULT 500)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$
    SELECT CASE
        WHEN p_query IS NULL THEN NULL
        WHEN monitoring_is_sensitive_text(p_query) THEN '[REDACTED - SENSITIVE QUERY]'
        WHEN length(p_query) > greatest(coalesce(p_max_length, 500), 20)
            THEN left(p_query, greatest(coalesce(p_max_length, 500), 20) - 3) || '...'
        ELSE p_query
    END
$$;

COMMENT ON FUNCTION monitoring_redact_query(text, integer) IS
    'Returns [REDACTED - SENSITIVE QUERY] for statements monitoring_is_sensitive_text flags, else the text truncated to p_max_length characters.';

-- Event data is free JSON (operators and clients record what they saw, statement text included):
-- a string that looks like a credential, or any value under a key that names one, is replaced.
-- Data with nothing sensitive in it is returned as it is, without being rebuilt.
CREATE OR REPLACE FUNCTION monitoring_redact_json(p_data jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_marker constant jsonb := to_jsonb('[REDACTED - SENSITIVE QUERY]'::text);
BEGIN
    -- The whole document is one text: a key=value string is only recognizable on its own, so data
    -- with a '=' in it is walked as well.
    IF p_data IS NULL OR (NOT monitoring_is_sensitive_text(p_data::text) AND strpos(p_data::text, '=') = 0) THEN
        RETURN p_data;
    END IF;
    CASE jsonb_typeof(p_data)
        WHEN 'object' THEN
            RETURN (SELECT coalesce(jsonb_object_agg(e.key,
                        CASE WHEN monitoring_is_sensitive_text(e.key) THEN v_marker ELSE monitoring_redact_json(e.value) END), '{}'::jsonb)
                    FROM jsonb_each(p_data) AS e);
        WHEN 'array' THEN
            RETURN (SELECT coalesce(jsonb_agg(monitoring_redact_json(a.value) ORDER BY a.ordinality), '[]'::jsonb)
                    FROM jsonb_array_elements(p_data) WITH ORDINALITY AS a);
        WHEN 'string' THEN
            RETURN CASE WHEN monitoring_is_sensitive_text(p_data #>> '{}') THEN v_marker ELSE p_data END;
        ELSE
            RETURN p_data;
    END CASE;
END
$$;

COMMENT ON FUNCTION monitoring_redact_json(jsonb) IS
    'p_data with every string monitoring_is_sensitive_text flags, and every value under a key it flags, replaced by [REDACTED - SENSITIVE QUERY].';

REVOKE ALL ON FUNCTION monitoring_is_sensitive_text(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION monitoring_redact_json(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION monitoring_is_sensitive_text(text) TO wedsync_user;
GRANT EXECUTE ON FUNCTION monitoring_redact_json(jsonb) TO wedsync_user;
