-- WS-170 follow-up (issue 16, "Faster"): POST /api/referrals in one call, in the session's opening round trip.
-- The create path took three round trips after the session's opening batch had read the signals
-- (the limits' settings, the insert with the tier query, the commit) and the API decided in between.
-- referral_create does in one statement what the API asked for in three: it states the limits for the
-- transaction (the counters of 20250901300001 still enforce them while it writes), reads the signals
-- (referral_create_signals), names the fraud rules the referral breaks, reads the referrer's tier, and
-- writes the code and the referral when no rule speaks against it: a clean referral is then stored in
-- the opening batch and committed with the answer (two round trips in all, the baseline takes three).
-- Anything else is left to the API, which weighs the reasons (its FraudRules) and answers 409, 422 or
-- 429, or stores a flagged referral itself. Runs as the caller (SECURITY INVOKER): row-level security,
-- the triggers and the limit counters apply to its writes exactly as to the API's own statements.
-- Returns no row when the caller has no profile (the API answers 403).
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION referral_create(
    p_email text,
    p_ip inet,
    p_code text,
    p_referrer_type text,
    p_reward_type text,
    p_codes_per_hour integer,
    p_referrals_per_referrer_per_day integer,
    p_referrals_per_ip_per_day integer,
    p_minimum_account_age interval)
RETURNS TABLE (
    codes_this_hour integer,
    already_referred boolean,
    reasons text[],
    referral_id uuid,
    status text,
    tier text,
    referrer_signup_cents integer,
    referrer_subscription_cents integer,
    referee_signup_cents integer,
    referee_subscription_cents integer,
    currency char(3),
    next_tier text,
    next_tier_min_converted integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_user uuid := app.current_user_id();
    v_organization uuid := app.current_organization_id();
    v_signals record;
    v_tier record;
    v_code_id uuid;
BEGIN
    IF v_organization IS NULL THEN
        -- No profile: the API answers 403 and nothing is read or written.
        RETURN;
    END IF;

    -- The limits the insert triggers enforce for the rest of this transaction (20250901300001).
    PERFORM set_config('wedsync.referrals.codes_per_hour', p_codes_per_hour::text, true),
            set_config('wedsync.referrals.per_referrer_per_day', p_referrals_per_referrer_per_day::text, true),
            set_config('wedsync.referrals.per_ip_per_day', p_referrals_per_ip_per_day::text, true);

    SELECT * INTO v_signals FROM public.referral_create_signals(p_email, p_ip);
    SELECT * INTO v_tier FROM public.referral_tier_for(v_signals.converted_referrals);

    codes_this_hour := v_signals.codes_this_hour;
    already_referred := v_signals.already_referred;
    tier := v_tier.tier;
    referrer_signup_cents := v_tier.referrer_signup_cents;
    referrer_subscription_cents := v_tier.referrer_subscription_cents;
    referee_signup_cents := v_tier.referee_signup_cents;
    referee_subscription_cents := v_tier.referee_subscription_cents;
    currency := v_tier.currency;
    next_tier := v_tier.next_tier;
    next_tier_min_converted := v_tier.next_tier_min_converted;

    -- The fraud rules, in the order the API reports them; their weights and the score are the API's.
    reasons := ARRAY[]::text[];
    IF v_signals.same_email_as_referrer THEN
        reasons := reasons || 'self_referral'::text;
    END IF;
    IF v_signals.circular THEN
        reasons := reasons || 'circular_referral'::text;
    END IF;
    IF v_signals.referrer_referrals_today >= p_referrals_per_referrer_per_day THEN
        reasons := reasons || 'referrer_daily_limit'::text;
    END IF;
    IF p_ip IS NOT NULL AND v_signals.ip_referrals_today >= p_referrals_per_ip_per_day THEN
        reasons := reasons || 'ip_daily_limit'::text;
    END IF;
    IF v_signals.account_created_at IS NULL OR now() - v_signals.account_created_at < p_minimum_account_age THEN
        reasons := reasons || 'new_account'::text;
    END IF;

    -- Only a referral no rule speaks against is written here; the API decides the others.
    IF codes_this_hour < p_codes_per_hour AND NOT already_referred AND cardinality(reasons) = 0 THEN
        INSERT INTO public.referral_codes (organization_id, user_id, code)
        VALUES (v_organization, v_user, p_code)
        ON CONFLICT (code) DO NOTHING
        RETURNING id INTO v_code_id;
        -- A taken code leaves referral_id NULL: the API draws another.
        IF v_code_id IS NOT NULL THEN
            INSERT INTO public.referrals AS r (organization_id, referral_code_id, referrer_user_id, referrer_type,
                                               referred_email, reward_type, client_ip)
            VALUES (v_organization, v_code_id, v_user, p_referrer_type, p_email, p_reward_type, p_ip)
            ON CONFLICT (referred_mailbox) DO NOTHING
            RETURNING r.id, r.status INTO referral_id, status;
            -- Referred in another organization since the signals were read: first touch wins.
            already_referred := referral_id IS NULL;
        END IF;
    END IF;

    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION referral_create(text, inet, text, text, text, integer, integer, integer, interval) IS
    'POST /api/referrals in one call, as the calling user (request.jwt.claims): states the limits for the transaction, reads the signals and the tier, names the fraud rules broken, and stores code and referral when none is. referral_id NULL: nothing stored (a rule, the code limit, first touch, or a taken code); the API decides.';

REVOKE ALL ON FUNCTION referral_create(text, inet, text, text, text, integer, integer, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_create(text, inet, text, text, text, integer, integer, integer, interval) TO wedsync_user;
