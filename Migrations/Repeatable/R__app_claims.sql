-- Repeatable (Migrations/Repeatable/): the row-level security claim functions of schema app (app.claims()
-- first: the others read it), stated once. up runs this file again, after every versioned script, whenever
-- its text changes: change it here, never in a new versioned script (a test holds that). The versioned
-- scripts that defined or altered it (20250101000000, 20250901800000) stay: they are journaled, and on an
-- empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION app.claims() RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog
AS $$
BEGIN
    RETURN coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
END
$$;

CREATE OR REPLACE FUNCTION app.current_organization_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_organization_id uuid;
BEGIN
    SELECT p.organization_id INTO v_organization_id FROM public.user_profiles p WHERE p.user_id = app.current_user_id();
    RETURN v_organization_id;
END
$$;

CREATE OR REPLACE FUNCTION app.current_role() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_role text;
BEGIN
    SELECT p.role INTO v_role FROM public.user_profiles p WHERE p.user_id = app.current_user_id();
    RETURN v_role;
END
$$;

CREATE OR REPLACE FUNCTION app.is_org_admin() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog
AS $$
BEGIN
    RETURN coalesce(app.current_role() IN ('OWNER', 'ADMIN'), false);
END
$$;

CREATE OR REPLACE FUNCTION app.has_platform_role(role_name text) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog
AS $$
DECLARE
    v_roles jsonb := app.claims() -> 'roles';
BEGIN
    RETURN coalesce(jsonb_typeof(v_roles) = 'array' AND v_roles ? role_name, false);
END
$$;

CREATE OR REPLACE FUNCTION app.is_platform_admin() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog
AS $$
BEGIN
    RETURN app.has_platform_role('platform_admin');
END
$$;

CREATE OR REPLACE FUNCTION app.is_service() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog
AS $$
BEGIN
    RETURN app.has_platform_role('service');
END
$$;
