-- WS-170 viral referral system: referral codes, referrals with fraud signals, shares, clicks,
-- conversions, double-sided rewards by tier, and daily viral metrics per organization.
-- Tenant tables carry organization_id and are isolated by RLS; the reward tiers are a platform
-- reference table. Child tables reference their parent together with organization_id so a row
-- can never point at another tenant's code or referral (and so the tables can later be
-- co-located by organization_id under Citus).
-- The migrator wraps the script in one transaction.

-- Wait briefly for locks instead of queueing behind a long transaction; ends with the transaction.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- ---------------------------------------------------------------------------------------------
-- Reward tiers (platform reference data, SCHEMA.md WS-170 table)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referral_reward_tiers (
    tier text PRIMARY KEY CHECK (tier ~ '^[a-z_]{1,30}$'),
    -- A referrer is in the tier with the highest min_converted not above their converted referrals.
    min_converted integer NOT NULL UNIQUE CHECK (min_converted >= 0),
    -- Amounts are integer cents of currency, bounded like referral_rewards.amount_cents.
    referrer_signup_cents integer NOT NULL CHECK (referrer_signup_cents BETWEEN 1 AND 10000000),
    referrer_subscription_cents integer NOT NULL CHECK (referrer_subscription_cents BETWEEN 1 AND 10000000),
    referee_signup_cents integer NOT NULL CHECK (referee_signup_cents BETWEEN 1 AND 10000000),
    referee_subscription_cents integer NOT NULL CHECK (referee_subscription_cents BETWEEN 1 AND 10000000),
    currency char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$')
);

COMMENT ON TABLE referral_reward_tiers IS
    'WS-170 reward tiers by converted referrals; amounts in integer cents of currency. Platform reference data, read-only for the request role.';

-- Converge to the specification on every run, without rewriting rows that already match.
INSERT INTO referral_reward_tiers AS t
    (tier, min_converted, referrer_signup_cents, referrer_subscription_cents, referee_signup_cents, referee_subscription_cents, currency)
VALUES
    ('bronze', 0, 1500, 3500, 1000, 2000, 'USD'),
    ('silver', 5, 2500, 6000, 1500, 3000, 'USD'),
    ('gold', 15, 5000, 12500, 2500, 5000, 'USD'),
    ('platinum', 30, 10000, 25000, 5000, 10000, 'USD'),
    ('viral_champion', 50, 15000, 40000, 7500, 15000, 'USD')
ON CONFLICT (tier) DO UPDATE SET
    min_converted = excluded.min_converted,
    referrer_signup_cents = excluded.referrer_signup_cents,
    referrer_subscription_cents = excluded.referrer_subscription_cents,
    referee_signup_cents = excluded.referee_signup_cents,
    referee_subscription_cents = excluded.referee_subscription_cents,
    currency = excluded.currency
WHERE (t.min_converted, t.referrer_signup_cents, t.referrer_subscription_cents, t.referee_signup_cents, t.referee_subscription_cents, t.currency)
    IS DISTINCT FROM
      (excluded.min_converted, excluded.referrer_signup_cents, excluded.referrer_subscription_cents, excluded.referee_signup_cents, excluded.referee_subscription_cents, excluded.currency);

-- ---------------------------------------------------------------------------------------------
-- Referral codes
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referral_codes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- The referrer who owns the code (JWT sub); deliberately no foreign key to an auth schema.
    user_id uuid,
    -- Stored upper-case (the trigger below normalizes) so lookups of case-insensitive input use
    -- the unique index; codes are looked up anonymously by /r/{code}, hence unique platform-wide.
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9]{4,20}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    is_active boolean NOT NULL DEFAULT true,
    -- Target of the (organization_id, referral_code_id) foreign keys of the child tables.
    UNIQUE (organization_id, id),
    CHECK (expires_at IS NULL OR expires_at > created_at)
);

-- Also the organization_id foreign-key index; serves "my codes" and the codes-per-hour limit.
CREATE INDEX IF NOT EXISTS ix_referral_codes_org_user_created
    ON referral_codes (organization_id, user_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- Referrals
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referrals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    referral_code_id uuid NOT NULL,
    -- User ids are JWT subjects; deliberately no foreign key to an auth schema.
    referrer_user_id uuid,
    referrer_type text NOT NULL DEFAULT 'supplier' CHECK (referrer_type IN ('supplier', 'couple')),
    -- Stored lower-cased and trimmed (trigger below); the CHECK guards writes that bypass it.
    referred_email text NOT NULL
        CHECK (referred_email = lower(btrim(referred_email)) AND length(referred_email) <= 320 AND position('@' IN referred_email) > 1),
    -- Set at signup; a person becomes a referred user at most once.
    referred_user_id uuid UNIQUE,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'signed_up', 'converted', 'expired', 'rejected')),
    reward_type text NOT NULL DEFAULT 'credit' CHECK (reward_type IN ('discount', 'credit', 'feature')),
    fraud_score numeric(3, 2) NOT NULL DEFAULT 0 CHECK (fraud_score BETWEEN 0 AND 1),
    fraud_reasons text[] NOT NULL DEFAULT ARRAY[]::text[],
    flagged_for_review boolean NOT NULL DEFAULT false,
    client_ip inet,
    created_at timestamptz NOT NULL DEFAULT now(),
    signed_up_at timestamptz,
    converted_at timestamptz,
    -- Conversion counts only within 30 days; the expiry sweep moves older open referrals to expired.
    expires_at timestamptz NOT NULL DEFAULT now() + interval '30 days',
    UNIQUE (organization_id, id),
    -- A referral may only use a code of its own organization.
    FOREIGN KEY (organization_id, referral_code_id) REFERENCES referral_codes (organization_id, id),
    CHECK (status NOT IN ('signed_up', 'converted') OR signed_up_at IS NOT NULL),
    CHECK (status <> 'converted' OR converted_at IS NOT NULL)
);

-- One person is referred once across the platform: the first referral of an address wins and
-- every later attempt, in any organization, is a unique violation (the API answers "already referred").
CREATE UNIQUE INDEX IF NOT EXISTS ux_referrals_referred_email ON referrals (lower(referred_email));
-- Stats, leaderboard and "my referrals by status, newest first" read one referrer of one org;
-- also the organization_id foreign-key index.
CREATE INDEX IF NOT EXISTS ix_referrals_org_referrer_status
    ON referrals (organization_id, referrer_user_id, status, created_at);
-- Analytics (daily invites) and the organization's list by time.
CREATE INDEX IF NOT EXISTS ix_referrals_org_created ON referrals (organization_id, created_at);
-- Foreign key to the code (delete checks) and referrals per code.
CREATE INDEX IF NOT EXISTS ix_referrals_code ON referrals (referral_code_id, created_at);
-- The per-IP daily limit (5 per client IP per day) looks back one day by address.
CREATE INDEX IF NOT EXISTS ix_referrals_client_ip_created ON referrals (client_ip, created_at) WHERE client_ip IS NOT NULL;
-- The expiry sweep finds open referrals past their window without touching closed ones.
CREATE INDEX IF NOT EXISTS ix_referrals_open_expiry
    ON referrals (expires_at) WHERE status IN ('pending', 'signed_up');

-- ---------------------------------------------------------------------------------------------
-- Share events and clicks
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referral_share_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    referral_code_id uuid NOT NULL,
    -- Who shared (JWT sub); deliberately no foreign key to an auth schema.
    user_id uuid,
    share_type text NOT NULL CHECK (share_type IN ('email', 'social', 'link', 'qr_code')),
    -- e.g. whatsapp, instagram, facebook; free text because channels come and go.
    platform text CHECK (length(platform) BETWEEN 1 AND 50),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, referral_code_id) REFERENCES referral_codes (organization_id, id) ON DELETE CASCADE
);

-- Analytics (daily shares, top channels) and the organization_id foreign-key index.
CREATE INDEX IF NOT EXISTS ix_referral_share_events_org_created ON referral_share_events (organization_id, created_at);
CREATE INDEX IF NOT EXISTS ix_referral_share_events_code ON referral_share_events (referral_code_id, created_at);

CREATE TABLE IF NOT EXISTS referral_clicks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    referral_code_id uuid NOT NULL,
    ip inet,
    -- Bounded by record_referral_click: anonymous input must not grow rows without limit.
    user_agent text CHECK (length(user_agent) <= 512),
    referer text CHECK (length(referer) <= 2048),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, referral_code_id) REFERENCES referral_codes (organization_id, id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS ix_referral_clicks_org_created ON referral_clicks (organization_id, created_at);
CREATE INDEX IF NOT EXISTS ix_referral_clicks_code ON referral_clicks (referral_code_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- Conversions and rewards
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referral_conversions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    referral_id uuid NOT NULL,
    event text NOT NULL CHECK (event IN ('signed_up', 'subscribed')),
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The same event again is a no-op (INSERT ... ON CONFLICT (referral_id, event) DO NOTHING):
    -- this is what makes POST /api/referrals/conversions idempotent under concurrency.
    -- Its leading column is also the referral_id foreign-key index.
    UNIQUE (referral_id, event),
    FOREIGN KEY (organization_id, referral_id) REFERENCES referrals (organization_id, id) ON DELETE CASCADE
);

-- Analytics (daily signups/conversions) and the organization_id foreign-key index.
CREATE INDEX IF NOT EXISTS ix_referral_conversions_org_occurred ON referral_conversions (organization_id, occurred_at);

CREATE TABLE IF NOT EXISTS referral_rewards (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    referral_id uuid NOT NULL,
    side text NOT NULL CHECK (side IN ('referrer', 'referee')),
    trigger text NOT NULL CHECK (trigger IN ('signed_up', 'subscribed')),
    tier text NOT NULL REFERENCES referral_reward_tiers (tier),
    -- One reward is bounded by its tier (at most a few hundred dollars); the upper bound catches a
    -- wrong unit (dollars*10000, micro-units) long before integer could overflow.
    amount_cents integer NOT NULL CHECK (amount_cents BETWEEN 1 AND 10000000),
    currency char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'granted', 'revoked')),
    -- Who receives it (JWT sub); deliberately no foreign key to an auth schema.
    beneficiary_user_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    granted_at timestamptz,
    revoked_at timestamptz,
    expires_at timestamptz,
    -- Each (referral, side, trigger) is rewarded at most once, whatever the concurrency; the
    -- leading column is also the referral_id foreign-key index.
    UNIQUE (referral_id, side, trigger),
    -- Rewards are money: deleting a referral must not silently delete them (revoke instead).
    FOREIGN KEY (organization_id, referral_id) REFERENCES referrals (organization_id, id),
    CHECK (status <> 'granted' OR granted_at IS NOT NULL),
    CHECK (status <> 'revoked' OR revoked_at IS NOT NULL)
);

-- "My rewards" and the stats' pending/earned sums; also the organization_id foreign-key index.
CREATE INDEX IF NOT EXISTS ix_referral_rewards_org_beneficiary_status
    ON referral_rewards (organization_id, beneficiary_user_id, status);
-- Foreign key to the tier table (tier changes are checked against it) and rewards by tier.
CREATE INDEX IF NOT EXISTS ix_referral_rewards_tier ON referral_rewards (tier);

-- ---------------------------------------------------------------------------------------------
-- Daily viral metrics
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS viral_metrics (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    metric_date date NOT NULL,
    invites integer NOT NULL DEFAULT 0 CHECK (invites >= 0),
    -- The organization's user base at the end of the day: the K formula's "users".
    users integer NOT NULL DEFAULT 0 CHECK (users >= 0),
    signups integer NOT NULL DEFAULT 0 CHECK (signups >= 0),
    conversions integer NOT NULL DEFAULT 0 CHECK (conversions >= 0),
    shares integer NOT NULL DEFAULT 0 CHECK (shares >= 0),
    clicks integer NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    k_factor numeric(10, 4) NOT NULL DEFAULT 0 CHECK (k_factor >= 0),
    computed_at timestamptz NOT NULL DEFAULT now(),
    -- One row per organization and day; the leading column is also the foreign-key index.
    UNIQUE (organization_id, metric_date)
);

-- ---------------------------------------------------------------------------------------------
-- Triggers: normalized input and forward-only status
-- ---------------------------------------------------------------------------------------------
-- Codes are accepted case-insensitively; normalizing here keeps every writer consistent.
CREATE OR REPLACE FUNCTION referral_codes_normalize() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    NEW.code := upper(btrim(NEW.code));
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS trg_referral_codes_normalize ON referral_codes;
CREATE TRIGGER trg_referral_codes_normalize BEFORE INSERT OR UPDATE OF code ON referral_codes
    FOR EACH ROW EXECUTE FUNCTION referral_codes_normalize();

-- Lower-cases the e-mail (so "Anna@X.com" and "anna@x.com" are one person) and lets the status
-- only move forward: pending -> signed_up -> converted, pending|signed_up -> expired,
-- pending -> rejected. A backward move would re-open rewards that were already paid out.
CREATE OR REPLACE FUNCTION referrals_before_write() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    NEW.referred_email := lower(btrim(NEW.referred_email));

    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT ((OLD.status = 'pending' AND NEW.status IN ('signed_up', 'expired', 'rejected'))
             OR (OLD.status = 'signed_up' AND NEW.status IN ('converted', 'expired'))) THEN
            RAISE EXCEPTION 'referral % cannot move from status % to %', OLD.id, OLD.status, NEW.status
                USING ERRCODE = '23514',
                      HINT = 'Allowed: pending -> signed_up -> converted, pending|signed_up -> expired, pending -> rejected.';
        END IF;
    END IF;

    -- Stamp the milestone when the writer did not say when it happened.
    IF NEW.status IN ('signed_up', 'converted') AND NEW.signed_up_at IS NULL THEN
        NEW.signed_up_at := now();
    END IF;
    IF NEW.status = 'converted' AND NEW.converted_at IS NULL THEN
        NEW.converted_at := now();
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS trg_referrals_before_write ON referrals;
CREATE TRIGGER trg_referrals_before_write BEFORE INSERT OR UPDATE ON referrals
    FOR EACH ROW EXECUTE FUNCTION referrals_before_write();

-- ---------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------
-- The tier for a number of converted referrals, with the next tier so the stats endpoint can
-- say how far away it is (next_tier is NULL at the top).
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
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
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
    LIMIT 1
$$;

-- Would the referral referrer -> referred close a loop (A->B->A, A->B->C->A, ...)?
-- Walks UP from the referrer through "who referred this user": each user is referred at most
-- once (referred_user_id is unique), so the walk is one path of index lookups, never a fan-out,
-- and it is bounded at 5 levels whatever the caller asks. Rejected referrals attributed nothing
-- and are not links. A self-referral (same user) is the 0-level loop. Runs as the caller, so the
-- service role (conversion processing) sees chains across organizations.
CREATE OR REPLACE FUNCTION detect_circular_referral(
    p_referrer_user_id uuid,
    p_referred_user_id uuid,
    p_max_depth integer DEFAULT 5)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    WITH RECURSIVE ancestors (user_id, depth) AS (
        SELECT p_referrer_user_id, 0
        UNION ALL
        SELECT r.referrer_user_id, a.depth + 1
        FROM ancestors a
        JOIN public.referrals r ON r.referred_user_id = a.user_id
        WHERE a.depth < least(greatest(coalesce(p_max_depth, 5), 1), 5)
          AND r.status <> 'rejected'
          AND r.referrer_user_id IS NOT NULL
    )
    SELECT coalesce(bool_or(a.user_id = p_referred_user_id), false)
    FROM ancestors a
    WHERE p_referrer_user_id IS NOT NULL AND p_referred_user_id IS NOT NULL
$$;

-- Recomputes viral_metrics for one organization and a date range (UTC days), idempotently.
-- K = (invites / users) * (conversions / invites), which is conversions / users: written that
-- way it stays defined on days without invites (conversions of earlier invites still count).
-- Runs as the caller: the request role may only refresh its own organization as an org admin
-- (analytics endpoint); the owner (scheduled job, demo data) may refresh any organization.
CREATE OR REPLACE FUNCTION refresh_viral_metrics(p_org uuid, p_from date, p_to date)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_rows integer;
    v_start timestamptz;
    v_end timestamptz;
BEGIN
    IF p_org IS NULL OR p_from IS NULL OR p_to IS NULL THEN
        RAISE EXCEPTION 'organization, from and to are required' USING ERRCODE = '22023';
    END IF;
    IF p_from > p_to THEN
        RAISE EXCEPTION 'from (%) is after to (%)', p_from, p_to USING ERRCODE = '22023';
    END IF;
    IF p_to - p_from > 366 THEN
        RAISE EXCEPTION 'at most 367 days can be refreshed at once, asked for %', p_to - p_from + 1
            USING ERRCODE = '22023';
    END IF;
    IF current_user = 'wedsync_user'
       AND NOT (p_org = app.current_organization_id() AND app.is_org_admin()) THEN
        RAISE EXCEPTION 'refreshing viral metrics requires an admin of that organization'
            USING ERRCODE = '42501';
    END IF;

    v_start := p_from::timestamp AT TIME ZONE 'UTC';
    v_end := (p_to + 1)::timestamp AT TIME ZONE 'UTC';

    INSERT INTO viral_metrics AS m
        (organization_id, metric_date, invites, users, signups, conversions, shares, clicks, k_factor, computed_at)
    SELECT p_org, d.day,
           coalesce(i.n, 0), u.n, coalesce(c.signups, 0), coalesce(c.conversions, 0),
           coalesce(s.n, 0), coalesce(k.n, 0),
           CASE WHEN u.n > 0 THEN round(coalesce(c.conversions, 0)::numeric / u.n, 4) ELSE 0 END,
           now()
    FROM generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS g (ts)
    CROSS JOIN LATERAL (SELECT g.ts::date AS day) d
    CROSS JOIN LATERAL (
        SELECT count(*)::integer AS n
        FROM public.user_profiles p
        WHERE p.organization_id = p_org
          AND p.created_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC') u
    LEFT JOIN (
        SELECT (r.created_at AT TIME ZONE 'UTC')::date AS day, count(*)::integer AS n
        FROM public.referrals r
        WHERE r.organization_id = p_org AND r.created_at >= v_start AND r.created_at < v_end
        GROUP BY 1) i ON i.day = d.day
    LEFT JOIN (
        SELECT (cv.occurred_at AT TIME ZONE 'UTC')::date AS day,
               count(*) FILTER (WHERE cv.event = 'signed_up')::integer AS signups,
               count(*) FILTER (WHERE cv.event = 'subscribed')::integer AS conversions
        FROM public.referral_conversions cv
        WHERE cv.organization_id = p_org AND cv.occurred_at >= v_start AND cv.occurred_at < v_end
        GROUP BY 1) c ON c.day = d.day
    LEFT JOIN (
        SELECT (se.created_at AT TIME ZONE 'UTC')::date AS day, count(*)::integer AS n
        FROM public.referral_share_events se
        WHERE se.organization_id = p_org AND se.created_at >= v_start AND se.created_at < v_end
        GROUP BY 1) s ON s.day = d.day
    LEFT JOIN (
        SELECT (ck.created_at AT TIME ZONE 'UTC')::date AS day, count(*)::integer AS n
        FROM public.referral_clicks ck
        WHERE ck.organization_id = p_org AND ck.created_at >= v_start AND ck.created_at < v_end
        GROUP BY 1) k ON k.day = d.day
    ON CONFLICT (organization_id, metric_date) DO UPDATE SET
        invites = excluded.invites,
        users = excluded.users,
        signups = excluded.signups,
        conversions = excluded.conversions,
        shares = excluded.shares,
        clicks = excluded.clicks,
        k_factor = excluded.k_factor,
        computed_at = excluded.computed_at;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;

-- SECURITY DEFINER because GET /r/{code} is anonymous: there are no claims, so RLS would hide
-- the code and refuse the insert. The function is the narrow door instead: it takes a code,
-- answers only whether it is usable, and writes exactly one bounded click row for that code's
-- organization. search_path is fixed and every table is schema-qualified so a caller's
-- temporary tables cannot stand in for ours.
CREATE OR REPLACE FUNCTION record_referral_click(p_code text, p_ip inet, p_user_agent text, p_referer text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_code text := upper(btrim(p_code));
    v_rows integer;
BEGIN
    IF v_code IS NULL OR v_code !~ '^[A-Z0-9]{4,20}$' THEN
        RETURN false;
    END IF;

    INSERT INTO public.referral_clicks (organization_id, referral_code_id, ip, user_agent, referer)
    SELECT c.organization_id, c.id, p_ip, left(p_user_agent, 512), left(p_referer, 2048)
    FROM public.referral_codes c
    WHERE c.code = v_code
      AND c.is_active
      AND (c.expires_at IS NULL OR c.expires_at > now());
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows > 0;
END
$$;

COMMENT ON FUNCTION record_referral_click(text, inet, text, text) IS
    'Anonymous click counting for /r/{code}: true (and one click recorded) when the code exists, is active and not expired. SECURITY DEFINER: no claims, so RLS would hide the code.';
COMMENT ON FUNCTION detect_circular_referral(uuid, uuid, integer) IS
    'True when referrer -> referred would close a referral loop within p_max_depth (at most 5) levels, or is a self-referral.';
COMMENT ON FUNCTION refresh_viral_metrics(uuid, date, date) IS
    'Upserts viral_metrics for one organization and UTC days p_from..p_to; returns rows written.';

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
ALTER TABLE referral_reward_tiers ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_share_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_clicks ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_conversions ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_rewards ENABLE ROW LEVEL SECURITY;
ALTER TABLE viral_metrics ENABLE ROW LEVEL SECURITY;

-- Tiers are public price-list data for every signed-in user; writes happen only in migrations.
DROP POLICY IF EXISTS referral_reward_tiers_read_all ON referral_reward_tiers;
CREATE POLICY referral_reward_tiers_read_all ON referral_reward_tiers FOR SELECT TO wedsync_user
    USING (true);

-- Codes: members of the organization see and create its codes and may deactivate them.
DROP POLICY IF EXISTS referral_codes_tenant ON referral_codes;
CREATE POLICY referral_codes_tenant ON referral_codes FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

-- Referrals: members read and create their organization's referrals; status moves happen in
-- conversion processing and the expiry sweep, both run by the service role.
DROP POLICY IF EXISTS referrals_tenant_select ON referrals;
CREATE POLICY referrals_tenant_select ON referrals FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS referrals_tenant_insert ON referrals;
CREATE POLICY referrals_tenant_insert ON referrals FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
-- The signup/billing services attribute a new user to a referral of any organization.
-- Permissive policies are OR-ed, and "org = $x OR $is_service" is no index condition: on
-- referrals, conversions and rewards a tenant query must also say
-- organization_id = (SELECT app.current_organization_id()) itself to reach the
-- (organization_id, ...) indexes (measured at 1M referrals: stats 228 ms -> 2.5 ms).
DROP POLICY IF EXISTS referrals_service ON referrals;
CREATE POLICY referrals_service ON referrals FOR ALL TO wedsync_user
    USING ((SELECT app.is_service()))
    WITH CHECK ((SELECT app.is_service()));

DROP POLICY IF EXISTS referral_share_events_tenant ON referral_share_events;
CREATE POLICY referral_share_events_tenant ON referral_share_events FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

-- Clicks are written only through record_referral_click (definer); tenants read their own.
DROP POLICY IF EXISTS referral_clicks_tenant_select ON referral_clicks;
CREATE POLICY referral_clicks_tenant_select ON referral_clicks FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));

DROP POLICY IF EXISTS referral_conversions_tenant_select ON referral_conversions;
CREATE POLICY referral_conversions_tenant_select ON referral_conversions FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS referral_conversions_service ON referral_conversions;
CREATE POLICY referral_conversions_service ON referral_conversions FOR ALL TO wedsync_user
    USING ((SELECT app.is_service()))
    WITH CHECK ((SELECT app.is_service()));

-- Rewards are granted and revoked only by the services; tenants read their organization's.
DROP POLICY IF EXISTS referral_rewards_tenant_select ON referral_rewards;
CREATE POLICY referral_rewards_tenant_select ON referral_rewards FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS referral_rewards_service ON referral_rewards;
CREATE POLICY referral_rewards_service ON referral_rewards FOR ALL TO wedsync_user
    USING ((SELECT app.is_service()))
    WITH CHECK ((SELECT app.is_service()));

-- Metrics: members read them; only org admins (analytics) recompute them.
DROP POLICY IF EXISTS viral_metrics_tenant_select ON viral_metrics;
CREATE POLICY viral_metrics_tenant_select ON viral_metrics FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS viral_metrics_org_admin_insert ON viral_metrics;
CREATE POLICY viral_metrics_org_admin_insert ON viral_metrics FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));
DROP POLICY IF EXISTS viral_metrics_org_admin_update ON viral_metrics;
CREATE POLICY viral_metrics_org_admin_update ON viral_metrics FOR UPDATE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));

-- ---------------------------------------------------------------------------------------------
-- Grants: the request role only, only what the API does
-- ---------------------------------------------------------------------------------------------
REVOKE ALL ON referral_reward_tiers, referral_codes, referrals, referral_share_events, referral_clicks,
    referral_conversions, referral_rewards, viral_metrics FROM PUBLIC;
GRANT SELECT ON referral_reward_tiers TO wedsync_user;
GRANT SELECT, INSERT ON referral_codes TO wedsync_user;
-- Deactivating or expiring a code; the code itself and its owner never change.
GRANT UPDATE (is_active, expires_at) ON referral_codes TO wedsync_user;
GRANT SELECT, INSERT ON referrals TO wedsync_user;
GRANT UPDATE (status, referred_user_id, signed_up_at, converted_at, fraud_score, fraud_reasons, flagged_for_review)
    ON referrals TO wedsync_user;
GRANT SELECT, INSERT ON referral_share_events TO wedsync_user;
GRANT SELECT ON referral_clicks TO wedsync_user;
GRANT SELECT, INSERT ON referral_conversions TO wedsync_user;
GRANT SELECT, INSERT ON referral_rewards TO wedsync_user;
GRANT UPDATE (status, granted_at, revoked_at, expires_at) ON referral_rewards TO wedsync_user;
-- INSERT ... ON CONFLICT DO UPDATE in refresh_viral_metrics needs both.
GRANT SELECT, INSERT ON viral_metrics TO wedsync_user;
GRANT UPDATE (invites, users, signups, conversions, shares, clicks, k_factor, computed_at) ON viral_metrics TO wedsync_user;

-- Functions are executable by PUBLIC unless revoked.
REVOKE ALL ON FUNCTION referral_codes_normalize() FROM PUBLIC;
REVOKE ALL ON FUNCTION referrals_before_write() FROM PUBLIC;
REVOKE ALL ON FUNCTION referral_tier_for(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION detect_circular_referral(uuid, uuid, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION refresh_viral_metrics(uuid, date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION record_referral_click(text, inet, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_tier_for(integer) TO wedsync_user;
GRANT EXECUTE ON FUNCTION detect_circular_referral(uuid, uuid, integer) TO wedsync_user;
GRANT EXECUTE ON FUNCTION refresh_viral_metrics(uuid, date, date) TO wedsync_user;
GRANT EXECUTE ON FUNCTION record_referral_click(text, inet, text, text) TO wedsync_user;
