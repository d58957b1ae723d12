-- WS-170 follow-up (issue 24, kind 5): HEAD /r/{code} answers like GET without counting a click. Link
-- checkers and crawlers ask HEAD first; they must learn whether the link is live, and nothing is written.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION referral_link_is_live(p_code text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.referral_codes c
        WHERE c.code = upper(btrim(p_code)) AND c.is_active AND (c.expires_at IS NULL OR c.expires_at > now()))
$$;

COMMENT ON FUNCTION referral_link_is_live(text) IS
    'Whether /r/{code} leads on (the code exists, is active and not expired), for HEAD, which records nothing. SECURITY DEFINER: no claims, so RLS would hide the code.
advisor: allow definer_function_executable: /r/{code} is anonymous, so no organization claim can open the code under RLS; the function answers only whether the code is live.';
REVOKE ALL ON FUNCTION referral_link_is_live(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_link_is_live(text) TO wedsync_user;
