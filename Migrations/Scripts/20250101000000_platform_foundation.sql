-- Platform foundation: tenants, their people, the claim helpers every RLS policy uses,
-- and the request role the API switches to (SET LOCAL ROLE) for tenant work.
-- Bounded waits: a migration stuck behind a lock must fail, not stall every request behind it.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE SCHEMA IF NOT EXISTS app;

-- The request role is cluster-wide, so creating it must tolerate an earlier database.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wedsync_user') THEN
        CREATE ROLE wedsync_user NOLOGIN NOBYPASSRLS;
    END IF;
END
$$;

-- The login that runs the migrator is the login the API uses; it must be able to SET ROLE.
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT wedsync_user TO %I', current_user);
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_profiles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The identity provider's subject (JWT sub); deliberately no foreign key to an auth schema.
    user_id uuid NOT NULL UNIQUE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role text NOT NULL DEFAULT 'MEMBER' CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')),
    email text NOT NULL CHECK (position('@' IN email) > 1),
    display_name text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS ix_user_profiles_organization_id ON user_profiles (organization_id);
CREATE INDEX IF NOT EXISTS ix_user_profiles_email ON user_profiles (lower(email));

CREATE OR REPLACE FUNCTION app.set_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS trg_organizations_updated_at ON organizations;
CREATE TRIGGER trg_organizations_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_user_profiles_updated_at ON user_profiles;
CREATE TRIGGER trg_user_profiles_updated_at BEFORE UPDATE ON user_profiles
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- Claim helpers. The API sets request.jwt.claims (transaction-local) to the validated token:
-- {"sub": "<uuid>", "roles": ["platform_admin", "service"]}.
CREATE OR REPLACE FUNCTION app.claims() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

CREATE OR REPLACE FUNCTION app.current_user_id() RETURNS uuid
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog
AS $$
DECLARE
    sub text := app.claims() ->> 'sub';
BEGIN
    IF sub IS NULL OR sub !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        RETURN NULL;
    END IF;
    RETURN sub::uuid;
END
$$;

-- SECURITY DEFINER: the profile lookup must not itself be filtered by the policies that call it.
CREATE OR REPLACE FUNCTION app.current_organization_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT p.organization_id FROM public.user_profiles p WHERE p.user_id = app.current_user_id()
$$;

CREATE OR REPLACE FUNCTION app.current_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT p.role FROM public.user_profiles p WHERE p.user_id = app.current_user_id()
$$;

CREATE OR REPLACE FUNCTION app.is_org_admin() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT coalesce(app.current_role() IN ('OWNER', 'ADMIN'), false)
$$;

CREATE OR REPLACE FUNCTION app.has_platform_role(role_name text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT coalesce(jsonb_typeof(app.claims() -> 'roles') = 'array' AND (app.claims() -> 'roles') ? role_name, false)
$$;

CREATE OR REPLACE FUNCTION app.is_platform_admin() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT app.has_platform_role('platform_admin')
$$;

CREATE OR REPLACE FUNCTION app.is_service() RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog
AS $$
    SELECT app.has_platform_role('service')
$$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_profiles ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS organizations_select_own ON organizations;
CREATE POLICY organizations_select_own ON organizations FOR SELECT TO wedsync_user
    USING (id = (SELECT app.current_organization_id()) OR (SELECT app.is_platform_admin()));
DROP POLICY IF EXISTS organizations_update_by_admin ON organizations;
CREATE POLICY organizations_update_by_admin ON organizations FOR UPDATE TO wedsync_user
    USING (id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()))
    WITH CHECK (id = (SELECT app.current_organization_id()));

DROP POLICY IF EXISTS user_profiles_select_same_org ON user_profiles;
CREATE POLICY user_profiles_select_same_org ON user_profiles FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS user_profiles_write_by_org_admin ON user_profiles;
CREATE POLICY user_profiles_write_by_org_admin ON user_profiles FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));

REVOKE ALL ON SCHEMA app FROM PUBLIC;
GRANT USAGE ON SCHEMA app TO wedsync_user;
GRANT USAGE ON SCHEMA public TO wedsync_user;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA app FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO wedsync_user;
GRANT SELECT, UPDATE ON organizations TO wedsync_user;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_profiles TO wedsync_user;
