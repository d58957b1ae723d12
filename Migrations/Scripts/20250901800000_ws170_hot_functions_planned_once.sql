-- WS-170 follow-up (issue 16, "Faster"): the functions every request calls are planned once per
-- session instead of once per call.
-- A LANGUAGE sql function is inlined into its caller only when it has no SET clause (and, for a
-- scalar one, no FROM); otherwise PostgreSQL parses and plans its body again in every statement
-- that calls it, and a plpgsql expression that calls it in every transaction. The claim helpers
-- behind every row-level security policy (app.claims, app.current_organization_id, app.current_role,
-- app.is_service, ...) all carry SET search_path, as do app.canonical_mailbox (the referral insert
-- trigger, the CHECK of referrals.referred_mailbox and the create signals call it) and
-- app.client_network_key (the per-IP counter trigger): on POST /api/referrals this planning was most of
-- PostgreSQL's CPU. Measured with pgbench as the request role (bench/FINDINGS.md), backend CPU per
-- transaction: the API's create statements 4.07 -> 1.74 ms, the baseline's two inserts 1.83 -> 1.03 ms.
-- In PL/pgSQL each statement's plan is prepared once per session and simple expressions skip the
-- executor; the bodies compute exactly what the SQL versions did (same results for every input,
-- canonical_mailbox included, which the unique index on referrals.referred_mailbox and the expression
-- index on user_profiles store: ReferralIdentityTests). Comments, grants and owners stay as they were
-- (CREATE OR REPLACE keeps them); the fixed search_path stays (mutable_search_path).
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
CREATE OR REPLACE FUNCTION referral_tier_for(p_converted integer)
RETURNS TABLE (
    tier text,
    min_converted integer,
    referrer_signup_cents integer,
    referrer_subscription_cents integer,
    referee_signup_cents integer,
    referee_subscription_cents integer,
    currency char(3),
    next_tier text,
    next_tier_min_converted integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT t.tier, t.min_converted,
           t.referrer_signup_cents, t.referrer_subscription_cents,
           t.referee_signup_cents, t.referee_subscription_cents,
           t.currency, n.tier, n.min_converted
    FROM public.referral_reward_tiers t
    LEFT JOIN LATERAL (
        SELECT x.tier, x.min_converted
        FROM public.referral_reward_tiers x
        WHERE x.min_converted > t.min_converted
        ORDER BY x.min_converted
        LIMIT 1) n ON true
    WHERE t.min_converted <= greatest(coalesce(p_converted, 0), 0)
    ORDER BY t.min_converted DESC
    LIMIT 1;
END
$$;
