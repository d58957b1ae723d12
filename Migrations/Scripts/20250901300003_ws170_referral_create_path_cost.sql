-- WS-170 follow-up (issue 16, "Faster"): less work per POST /api/referrals, measured in bench/.
-- PostgreSQL's CPU bounds the create path (bench/FINDINGS.md). Three costs go:
--   - the per-IP index on referrals: the per-IP rule reads its counter row now (20250901300001), so
--     nothing reads referrals by client_ip any more, and every insert paid for one more index;
--   - the counters' separate window index: the primary key leads with the window instead, which
--     serves the expiry sweep's "windows before X" as well as the point lookups, one index not two;
--   - re-planning the create signals on every call: a SQL function with SET is never inlined and is
--     planned at each call, with the circular walk (another such function) inside it. In PL/pgSQL
--     the statement's plan is prepared once per session and reused.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- squawk-ignore require-concurrent-index-deletion
DROP INDEX IF EXISTS ix_referrals_client_ip_created;

-- The table holds the current hour's and day's counters only (the sweep deletes older ones): small.
ALTER TABLE referral_limit_counters DROP CONSTRAINT IF EXISTS referral_limit_counters_pkey;
-- A primary key cannot be NOT VALID; the scan is of a table of a day's counters.
-- squawk-ignore constraint-missing-not-valid, adding-serial-primary-key-field
ALTER TABLE referral_limit_counters ADD CONSTRAINT referral_limit_counters_pkey PRIMARY KEY (window_start, rule, subject);
-- squawk-ignore require-concurrent-index-deletion
DROP INDEX IF EXISTS ix_referral_limit_counters_window;

-- Same result as 20250901300001's version, including detect_circular_referral's walk (5 levels up
-- through "who referred this user", rejected referrals are no links), written out here so that the
-- whole statement is one cached plan.
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
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    WITH me AS (
        SELECT p.user_id, p.organization_id, p.created_at, app.canonical_mailbox(p.email) AS mailbox
        FROM public.user_profiles p
        WHERE p.user_id = app.current_user_id()
    ), invitee AS (
        SELECT app.canonical_mailbox(p_email) AS mailbox,
               (SELECT u.user_id FROM public.user_profiles u
                WHERE app.canonical_mailbox(u.email) = app.canonical_mailbox(p_email) LIMIT 1) AS user_id
    ), windows AS (
        SELECT date_trunc('hour', now(), 'UTC') AS hour, date_trunc('day', now(), 'UTC') AS day
    )
    SELECT
        me.created_at,
        me.mailbox = invitee.mailbox,
        coalesce((SELECT c.used FROM public.referral_limit_counters c
                  WHERE c.window_start = windows.hour AND c.rule = 'codes_per_hour' AND c.subject = me.user_id::text), 0),
        coalesce((SELECT c.used FROM public.referral_limit_counters c
                  WHERE c.window_start = windows.day AND c.rule = 'referrals_per_referrer_per_day' AND c.subject = me.user_id::text), 0),
        coalesce((SELECT c.used FROM public.referral_limit_counters c
                  WHERE p_ip IS NOT NULL AND c.window_start = windows.day AND c.rule = 'referrals_per_ip_per_day'
                    AND c.subject = app.client_network_key(p_ip)), 0),
        EXISTS (SELECT 1 FROM public.referrals r WHERE r.referred_mailbox = invitee.mailbox),
        invitee.user_id IS NOT NULL AND (
            WITH RECURSIVE ancestors (user_id, depth) AS (
                SELECT me.user_id, 0
                UNION ALL
                SELECT r.referrer_user_id, a.depth + 1
                FROM ancestors a
                JOIN public.referrals r ON r.referred_user_id = a.user_id
                WHERE a.depth < 5 AND r.status <> 'rejected' AND r.referrer_user_id IS NOT NULL
            )
            SELECT coalesce(bool_or(a.user_id = invitee.user_id), false) FROM ancestors a),
        (SELECT count(*) FROM public.referrals r
           WHERE r.organization_id = me.organization_id AND r.referrer_user_id = me.user_id AND r.status = 'converted')::integer
    FROM me, invitee, windows;
END
$$;

COMMENT ON FUNCTION referral_create_signals(text, inet) IS
    'Fraud signals and limit counters of a new referral by the calling user (request.jwt.claims): counts and flags only. SECURITY DEFINER: platform-wide rules and index use that RLS would prevent. PL/pgSQL: one plan per session.';
