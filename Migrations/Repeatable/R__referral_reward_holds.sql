-- Repeatable (Migrations/Repeatable/): how a pending reward's hold ends, stated once: the insert trigger that
-- copies the organization's rule onto the reward, the condition on the referred vendor's own data, the
-- decision (referral_reward_evaluate) and the sweep that releases holds. Change them here, never in a new
-- versioned script (a test holds that). The versioned script that defined them (20250902800000) stays;
-- the columns they read are 20251210000000's.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- True when the referred vendor of the referral meets the hold's condition (NULL condition: nothing to wait
-- for). Their organization is the one user_profiles gives the referred user. A delivered wedding is one of
-- that organization with status completed, dated from the UTC day before the signup (zones differ by less
-- than a day; weddings imported from before are not delivered as our customer) to the UTC day after today.
-- The health score is the organization's latest (score_date) WS-168 overall score.
CREATE OR REPLACE FUNCTION referral_reward_hold_met(p_referral uuid, p_condition text, p_threshold smallint)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT CASE
        WHEN p_condition IS NULL THEN true
        WHEN p_condition = 'first_wedding_delivered' THEN EXISTS (
            SELECT 1
            FROM public.referrals f
            JOIN public.user_profiles p ON p.user_id = f.referred_user_id
            JOIN public.weddings w ON w.organization_id = p.organization_id
            WHERE f.id = p_referral AND w.status = 'completed'
              AND w.wedding_date >= (f.signed_up_at AT TIME ZONE 'UTC')::date - 1
              AND w.wedding_date <= (now() AT TIME ZONE 'UTC')::date + 1)
        WHEN p_condition = 'health_score' THEN coalesce((
            SELECT s.overall_score >= p_threshold
            FROM public.referrals f
            JOIN public.user_profiles p ON p.user_id = f.referred_user_id
            JOIN LATERAL (SELECT h.overall_score FROM public.customer_health_scores h
                          WHERE h.organization_id = p.organization_id
                          ORDER BY h.score_date DESC LIMIT 1) s ON true
            WHERE f.id = p_referral), false)
        ELSE false
    END
$$;

REVOKE ALL ON FUNCTION referral_reward_hold_met(uuid, text, smallint) FROM PUBLIC;

-- New rewards: the hold from the rules (days, then the rule's condition), the type from the referral.
CREATE OR REPLACE FUNCTION referral_rewards_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_rules public.referral_reward_rules;
BEGIN
    SELECT * INTO v_rules FROM public.referral_reward_rules x WHERE x.organization_id = NEW.organization_id;
    NEW.hold_until := NEW.created_at + make_interval(days => coalesce(v_rules.hold_days, 0));
    NEW.hold_condition := CASE WHEN v_rules.hold_kind IN ('first_wedding_delivered', 'health_score') THEN v_rules.hold_kind END;
    NEW.hold_health_threshold := CASE WHEN v_rules.hold_kind = 'health_score' THEN v_rules.health_score_threshold END;
    NEW.reward_type := coalesce((SELECT CASE f.reward_type WHEN 'feature' THEN 'free_month' ELSE f.reward_type END
                                 FROM public.referrals f WHERE f.id = NEW.referral_id), NEW.reward_type);
    NEW.state := 'pending';
    RETURN NEW;
END
$$;

REVOKE ALL ON FUNCTION referral_rewards_before_insert() FROM PUBLIC;

-- Decides a pending reward by its organization's rules: approved when no review is due, its hold days are
-- over, the referred vendor meets the hold's condition and the cap allows; otherwise it records why it
-- waits. The caller holds or takes the row lock.
CREATE OR REPLACE FUNCTION referral_reward_evaluate(p_reward uuid)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    r public.referral_rewards;
    v_rules public.referral_reward_rules;
    v_flagged boolean;
    v_wait text;
    v_outcome text;
BEGIN
    SELECT * INTO r FROM public.referral_rewards w WHERE w.id = p_reward FOR UPDATE;
    IF NOT FOUND OR r.state <> 'pending' THEN
        RETURN r.state;
    END IF;
    SELECT * INTO v_rules FROM public.referral_reward_rules x WHERE x.organization_id = r.organization_id;
    SELECT f.flagged_for_review INTO v_flagged FROM public.referrals f WHERE f.id = r.referral_id;
    v_wait := CASE
        WHEN coalesce(v_rules.review_flagged, true) AND v_flagged THEN 'review_flagged'
        WHEN r.amount_cents >= v_rules.auto_approve_below_cents THEN 'review_amount'
        WHEN r.hold_until > now() THEN 'holding'
        WHEN NOT public.referral_reward_hold_met(r.referral_id, r.hold_condition, r.hold_health_threshold) THEN
            CASE r.hold_condition WHEN 'first_wedding_delivered' THEN 'waiting_first_wedding' ELSE 'waiting_health_score' END
    END;
    IF v_wait IS NOT NULL THEN
        UPDATE public.referral_rewards SET wait_reason = v_wait WHERE id = r.id AND wait_reason IS DISTINCT FROM v_wait;
        RETURN v_wait;
    END IF;
    SELECT a.outcome INTO v_outcome
    FROM public.referral_reward_apply(r.id, 'approved', 'system', NULL,
        CASE r.hold_condition
            WHEN 'first_wedding_delivered' THEN 'hold over: the referred vendor delivered their first wedding; approved by the organization''s rules'
            WHEN 'health_score' THEN format('hold over: the referred vendor''s health score reached %s; approved by the organization''s rules', r.hold_health_threshold)
            ELSE CASE WHEN r.hold_until > r.created_at THEN 'hold over; approved by the organization''s rules'
                      ELSE 'approved by the organization''s rules' END
        END) a;
    RETURN v_outcome;
END
$$;

REVOKE ALL ON FUNCTION referral_reward_evaluate(uuid) FROM PUBLIC;

-- The sweep (the API's login, across organizations): pending rewards that can move now. A row that cannot
-- (a condition still unmet, a cap still full) is never claimed: claimed oldest first under the limit, such
-- rows would fill every batch and starve rewards that are due. SKIP LOCKED: API instances share the work.
CREATE OR REPLACE FUNCTION referral_rewards_release_due(p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_id uuid;
    v_approved integer := 0;
BEGIN
    FOR v_id IN
        SELECT r.id FROM public.referral_rewards r
        WHERE r.state = 'pending' AND r.hold_until <= now()
          AND (r.wait_reason = 'holding'
               OR (r.wait_reason IN ('waiting_first_wedding', 'waiting_health_score')
                   AND public.referral_reward_hold_met(r.referral_id, r.hold_condition, r.hold_health_threshold))
               OR (r.wait_reason = 'spend_cap_reached'
                   AND NOT EXISTS (
                       SELECT 1 FROM public.referral_reward_rules x
                       LEFT JOIN public.referral_spend_counters c
                           ON c.organization_id = x.organization_id
                          AND c.period_start = date_trunc(x.spend_cap_period, now() AT TIME ZONE 'UTC')::date
                       WHERE x.organization_id = r.organization_id AND x.spend_cap_cents IS NOT NULL
                         AND coalesce(c.spent_cents, 0) + r.amount_cents > x.spend_cap_cents)))
        ORDER BY r.hold_until
        LIMIT p_limit
        FOR UPDATE OF r SKIP LOCKED
    LOOP
        IF public.referral_reward_evaluate(v_id) = 'applied' THEN
            v_approved := v_approved + 1;
        END IF;
    END LOOP;
    RETURN v_approved;
END
$$;

REVOKE ALL ON FUNCTION referral_rewards_release_due(integer) FROM PUBLIC;
