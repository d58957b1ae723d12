-- Repeatable (Migrations/Repeatable/): referral_tier_for(integer), stated once. up runs this file again,
-- after every versioned script, whenever its text changes: change it here, never in a new versioned script (a
-- test holds that). The versioned scripts that defined or altered it (20250828170000, 20250901800000) stay:
-- they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
