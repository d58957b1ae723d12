-- Repeatable (Migrations/Repeatable/): referral_create_signals(text, inet), stated once. up runs this file
-- again, after every versioned script, whenever its text changes: change it here, never in a new versioned
-- script (a test holds that). The versioned scripts that defined or altered it (20250901300001,
-- 20250901300003) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
