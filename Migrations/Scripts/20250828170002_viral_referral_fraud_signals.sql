-- WS-170 follow-up, found by bench/ at 1M referrals: the create path's fraud signals took seconds.
-- Under RLS a query's own conditions may only use an index when their operators are leakproof;
-- lower(text) and inet equality are not, so "already referred" and "referrals from this IP today"
-- scanned every visible referral. Some rules are also platform-wide by nature (one person is referred
-- once across the platform; the per-IP limit counts every organization), which the caller's RLS view
-- cannot see. One SECURITY DEFINER function computes every signal for the calling user, from the
-- claims the API set, and returns counts and flags only, never another tenant's rows.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION referral_fraud_signals(p_email text, p_ip inet)
RETURNS TABLE (
    account_created_at timestamptz,
    same_email_as_referrer boolean,
    codes_last_hour bigint,
    referrer_referrals_today bigint,
    ip_referrals_today bigint,
    already_referred boolean,
    circular boolean,
    converted_referrals integer)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    WITH me AS (
        SELECT p.user_id, p.organization_id, p.created_at, lower(p.email) AS email
        FROM public.user_profiles p
        WHERE p.user_id = app.current_user_id()
    )
    SELECT
        me.created_at,
        me.email = lower(btrim(p_email)),
        (SELECT count(*) FROM public.referral_codes c
           WHERE c.organization_id = me.organization_id AND c.user_id = me.user_id AND c.created_at > now() - interval '1 hour'),
        (SELECT count(*) FROM public.referrals r
           WHERE r.organization_id = me.organization_id AND r.referrer_user_id = me.user_id AND r.created_at > now() - interval '1 day'),
        (SELECT count(*) FROM public.referrals r
           WHERE p_ip IS NOT NULL AND r.client_ip = p_ip AND r.created_at > now() - interval '1 day'),
        EXISTS (SELECT 1 FROM public.referrals r WHERE lower(r.referred_email) = lower(btrim(p_email))),
        public.detect_circular_referral(me.user_id,
            (SELECT u.user_id FROM public.user_profiles u WHERE lower(u.email) = lower(btrim(p_email)) LIMIT 1)),
        (SELECT count(*) FROM public.referrals r
           WHERE r.organization_id = me.organization_id AND r.referrer_user_id = me.user_id AND r.status = 'converted')::integer
    FROM me
$$;

COMMENT ON FUNCTION referral_fraud_signals(text, inet) IS
    'Fraud signals of a new referral by the calling user (request.jwt.claims): counts and flags only. SECURITY DEFINER: platform-wide rules and index use that RLS would prevent.';

REVOKE ALL ON FUNCTION referral_fraud_signals(text, inet) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_fraud_signals(text, inet) TO wedsync_user;
