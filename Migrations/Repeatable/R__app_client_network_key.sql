-- Repeatable (Migrations/Repeatable/): app.client_network_key(inet), stated once. up runs this file again,
-- after every versioned script, whenever its text changes: change it here, never in a new versioned script (a
-- test holds that). The versioned scripts that defined or altered it (20250901300001, 20250901300004,
-- 20250901800000) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION app.client_network_key(p_ip inet) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog
AS $$
BEGIN
    RETURN CASE WHEN pg_catalog.family(p_ip) = 6
                THEN pg_catalog.text(pg_catalog.network(pg_catalog.set_masklen(p_ip, 64)))
                ELSE pg_catalog.host(p_ip) END;
END
$$;
