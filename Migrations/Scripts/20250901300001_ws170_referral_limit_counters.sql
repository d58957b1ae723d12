-- WS-170 follow-up (issue 16): business limits that hold under any concurrency.
-- The limits (codes per user per hour, referrals per referrer per day, referrals per client
-- network per day) were checked by counting rows and then writing: twenty concurrent requests all
-- counted 9 and all wrote. Now every write takes one counter row per (rule, subject, window) with
-- INSERT ... ON CONFLICT DO UPDATE ... WHERE used < limit in the writing transaction: the row lock
-- serializes the writers of one subject, the (limit + 1)-th finds no row to update and is refused,
-- and a transaction that rolls back takes its increment with it. Windows are UTC clock hours and UTC
-- days, fixed (not rolling), so a counter is one row. Only transaction-scoped state is used (row
-- locks, set_config(..., true)), so it holds behind PgBouncer in transaction mode.
-- The counting is in AFTER INSERT triggers, so every writer counts (the API, demo data, tests);
-- only writers that state the limit (the API, through transaction-local settings) are refused.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS referral_limit_counters (
    rule text NOT NULL CHECK (rule IN ('codes_per_hour', 'referrals_per_referrer_per_day', 'referrals_per_ip_per_day')),
    -- A user id, or a client key (app.client_network_key): platform-wide, as the rules are.
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 64),
    window_start timestamptz NOT NULL,
    used integer NOT NULL CHECK (used >= 0),
    PRIMARY KEY (rule, subject, window_start)
);

COMMENT ON TABLE referral_limit_counters IS
    'WS-170 limits: writes per (rule, subject, UTC hour or day). Written only by the definer triggers of referral_codes and referrals; old windows are deleted by the API''s expiry sweep.';

-- The expiry sweep deletes past windows.
CREATE INDEX IF NOT EXISTS ix_referral_limit_counters_window ON referral_limit_counters (window_start);

ALTER TABLE referral_limit_counters ENABLE ROW LEVEL SECURITY;
-- The request role never reads or writes counters itself: the definer functions below do.
DROP POLICY IF EXISTS referral_limit_counters_none ON referral_limit_counters;
CREATE POLICY referral_limit_counters_none ON referral_limit_counters FOR ALL TO wedsync_user
    USING (false) WITH CHECK (false);
REVOKE ALL ON referral_limit_counters FROM PUBLIC;

-- One client for the per-IP rule and the API's rate limits: an IPv4 address, or the /64 of an IPv6
-- address (one subscriber's prefix: an attacker rotates addresses inside it for free). The API maps
-- IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) to IPv4 before storing them.
CREATE OR REPLACE FUNCTION app.client_network_key(p_ip inet) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE WHEN pg_catalog.family(p_ip) = 6
                THEN pg_catalog.text(pg_catalog.network(pg_catalog.set_masklen(p_ip, 64)))
                ELSE pg_catalog.host(p_ip) END
$$;

COMMENT ON FUNCTION app.client_network_key(inet) IS
    'The per-IP rules'' subject: an IPv4 address, or the /64 network of an IPv6 address.';

-- Takes one unit of a limit in the caller's transaction. The limit comes from the transaction-local
-- setting p_limit_setting (the API sets it); without it the write is counted but never refused.
-- Refusal is a check_violation naming the rule as its constraint, so the API can say which.
CREATE OR REPLACE FUNCTION app.take_referral_limit(p_rule text, p_subject text, p_window timestamptz, p_limit_setting text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_limit integer := nullif(current_setting(p_limit_setting, true), '')::integer;
    v_used integer;
BEGIN
    INSERT INTO public.referral_limit_counters AS c (rule, subject, window_start, used)
    VALUES (p_rule, p_subject, p_window, 1)
    ON CONFLICT (rule, subject, window_start) DO UPDATE SET used = c.used + 1
        WHERE v_limit IS NULL OR c.used < v_limit
    RETURNING c.used INTO v_used;
    -- No row: the conflicting row is locked and at the limit (or the limit is below 1).
    IF v_used IS NULL OR v_used > v_limit THEN
        RAISE EXCEPTION 'limit % reached for % in the window from %', p_rule, p_subject, p_window
            USING ERRCODE = 'check_violation', CONSTRAINT = p_rule,
                  HINT = 'Windows are UTC clock hours (codes) and UTC days (referrals).';
    END IF;
END
$$;

-- Codes per user per UTC hour. Only codes of the current hour count (older ones cannot matter).
CREATE OR REPLACE FUNCTION referral_codes_after_insert() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.user_id IS NOT NULL AND NEW.created_at >= date_trunc('hour', now(), 'UTC') THEN
        PERFORM app.take_referral_limit('codes_per_hour', NEW.user_id::text,
            date_trunc('hour', NEW.created_at, 'UTC'), 'wedsync.referrals.codes_per_hour');
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS trg_referral_codes_after_insert ON referral_codes;
CREATE TRIGGER trg_referral_codes_after_insert AFTER INSERT ON referral_codes
    FOR EACH ROW EXECUTE FUNCTION referral_codes_after_insert();

-- Referrals per referrer and per client network per UTC day; the referrer first, then the
-- network, always in this order (after the code's counter), so concurrent writers never deadlock.
CREATE OR REPLACE FUNCTION referrals_after_insert() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.created_at >= date_trunc('day', now(), 'UTC') THEN
        IF NEW.referrer_user_id IS NOT NULL THEN
            PERFORM app.take_referral_limit('referrals_per_referrer_per_day', NEW.referrer_user_id::text,
                date_trunc('day', NEW.created_at, 'UTC'), 'wedsync.referrals.per_referrer_per_day');
        END IF;
        IF NEW.client_ip IS NOT NULL THEN
            PERFORM app.take_referral_limit('referrals_per_ip_per_day', app.client_network_key(NEW.client_ip),
                date_trunc('day', NEW.created_at, 'UTC'), 'wedsync.referrals.per_ip_per_day');
        END IF;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS trg_referrals_after_insert ON referrals;
CREATE TRIGGER trg_referrals_after_insert AFTER INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION referrals_after_insert();

-- Counters of the current windows from the rows already there, so the limits hold from the first
-- request after deployment.
INSERT INTO referral_limit_counters AS c (rule, subject, window_start, used)
SELECT 'codes_per_hour', k.user_id::text, date_trunc('hour', k.created_at, 'UTC'), count(*)
FROM referral_codes k
WHERE k.user_id IS NOT NULL AND k.created_at >= date_trunc('hour', now(), 'UTC')
GROUP BY 1, 2, 3
UNION ALL
SELECT 'referrals_per_referrer_per_day', r.referrer_user_id::text, date_trunc('day', r.created_at, 'UTC'), count(*)
FROM referrals r
WHERE r.referrer_user_id IS NOT NULL AND r.created_at >= date_trunc('day', now(), 'UTC')
GROUP BY 1, 2, 3
UNION ALL
SELECT 'referrals_per_ip_per_day', app.client_network_key(r.client_ip), date_trunc('day', r.created_at, 'UTC'), count(*)
FROM referrals r
WHERE r.client_ip IS NOT NULL AND r.created_at >= date_trunc('day', now(), 'UTC')
GROUP BY 1, 2, 3
ON CONFLICT (rule, subject, window_start) DO UPDATE SET used = excluded.used;

-- Everything the create path reads before writing, for the calling user (request.jwt.claims), in
-- one definer call: the limits as counters of the current windows (no counting of referrals),
-- and the identity rules by canonical mailbox. Counts and flags only, never another tenant's rows.
-- The counters read here are advisory (for the fraud score and an early answer); the triggers above
-- are what enforces the limits.
CREATE OR REPLACE FUNCTION referral_create_signals(p_email text, p_ip inet)
RETURNS TABLE (
    account_created_at timestamptz,
    same_email_as_referrer boolean,
    codes_this_hour integer,
    referrer_referrals_today integer,
    ip_referrals_today integer,
    already_referred boolean,
    circular boolean,
    converted_referrals integer)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    WITH me AS (
        SELECT p.user_id, p.organization_id, p.created_at, app.canonical_mailbox(p.email) AS mailbox
        FROM public.user_profiles p
        WHERE p.user_id = app.current_user_id()
    ), invitee AS (
        SELECT app.canonical_mailbox(p_email) AS mailbox
    )
    SELECT
        me.created_at,
        me.mailbox = invitee.mailbox,
        coalesce((SELECT c.used FROM public.referral_limit_counters c
                  WHERE c.rule = 'codes_per_hour' AND c.subject = me.user_id::text
                    AND c.window_start = date_trunc('hour', now(), 'UTC')), 0),
        coalesce((SELECT c.used FROM public.referral_limit_counters c
                  WHERE c.rule = 'referrals_per_referrer_per_day' AND c.subject = me.user_id::text
                    AND c.window_start = date_trunc('day', now(), 'UTC')), 0),
        coalesce((SELECT c.used FROM public.referral_limit_counters c
                  WHERE p_ip IS NOT NULL AND c.rule = 'referrals_per_ip_per_day' AND c.subject = app.client_network_key(p_ip)
                    AND c.window_start = date_trunc('day', now(), 'UTC')), 0),
        EXISTS (SELECT 1 FROM public.referrals r WHERE r.referred_mailbox = invitee.mailbox),
        public.detect_circular_referral(me.user_id,
            (SELECT u.user_id FROM public.user_profiles u WHERE app.canonical_mailbox(u.email) = invitee.mailbox LIMIT 1)),
        (SELECT count(*) FROM public.referrals r
           WHERE r.organization_id = me.organization_id AND r.referrer_user_id = me.user_id AND r.status = 'converted')::integer
    FROM me, invitee
$$;

COMMENT ON FUNCTION referral_create_signals(text, inet) IS
    'Fraud signals and limit counters of a new referral by the calling user (request.jwt.claims): counts and flags only. SECURITY DEFINER: platform-wide rules and index use that RLS would prevent.';

-- Replaced by referral_create_signals (identity by mailbox, counters instead of counting).
DROP FUNCTION IF EXISTS referral_fraud_signals(text, inet);

REVOKE ALL ON FUNCTION app.client_network_key(inet) FROM PUBLIC;
REVOKE ALL ON FUNCTION app.take_referral_limit(text, text, timestamptz, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION referral_codes_after_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION referrals_after_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION referral_create_signals(text, inet) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.client_network_key(inet) TO wedsync_user;
-- The triggers run as the writer (the request role), and call the definer function.
GRANT EXECUTE ON FUNCTION app.take_referral_limit(text, text, timestamptz, text) TO wedsync_user;
GRANT EXECUTE ON FUNCTION referral_create_signals(text, inet) TO wedsync_user;
