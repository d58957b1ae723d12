-- Repeatable (Migrations/Repeatable/): app.canonical_mailbox(text), stated once. up runs this file again,
-- after every versioned script, whenever its text changes: change it here, never in a new versioned script (a
-- test holds that). The versioned scripts that defined or altered it (20250901300000, 20250901300004,
-- 20250901800000) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION app.canonical_mailbox(p_email text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog
AS $$
DECLARE
    v_address text := pg_catalog.lower(pg_catalog.btrim(p_email));
    v_at integer;
    v_local text;
    v_domain text;
BEGIN
    IF pg_catalog.strpos(v_address, '@') = 0 THEN
        RETURN v_address;
    END IF;
    v_at := pg_catalog.length(v_address) - pg_catalog.strpos(pg_catalog.reverse(v_address), '@') + 1;
    v_local := pg_catalog.left(v_address, greatest(v_at - 1, 0));
    v_domain := pg_catalog.rtrim(pg_catalog.substr(v_address, v_at + 1), '.');
    IF pg_catalog.strpos(v_local, '+') > 1 THEN
        v_local := pg_catalog.split_part(v_local, '+', 1);
    END IF;
    IF v_domain IN ('gmail.com', 'googlemail.com') THEN
        v_local := pg_catalog.replace(v_local, '.', '');
    END IF;
    RETURN v_local || '@' || CASE WHEN v_domain = 'googlemail.com' THEN 'gmail.com' ELSE v_domain END;
END
$$;
