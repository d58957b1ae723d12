-- Repeatable (Migrations/Repeatable/): monitoring_redact_query(text, integer), stated once. up runs this file
-- again, after every versioned script, whenever its text changes: change it here, never in a new versioned
-- script (a test holds that). The versioned scripts that defined or altered it (20250825100000,
-- 20250901100001) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
