-- WS-170 follow-up (issue 27): rewards pay only for real customers. Every reward moves
-- pending -> approved -> fulfilled (or -> revoked / -> clawed_back) by append-only ledger entries that
-- say who, when and why; a referrer's balances are sums of the ledger. Each transition happens once:
-- the reward row is locked for the transition and (reward_id, transition) is unique, the conversion
-- path's guarantee (row lock + unique constraint), so parallel approvals write one entry.
-- Per-organization rules decide holds, automatic approval, review and spend caps; a refund inside the
-- window revokes or claws back; approved rewards are requested from billing by webhook until acknowledged.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- ---------------------------------------------------------------------------------------------
-- Rules per organization (no row: the defaults, which are the behaviour before this script)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referral_reward_rules (
    organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    -- Days a new reward waits before it can be approved (Rewardful: 30; 0: at once).
    hold_days integer NOT NULL DEFAULT 0 CHECK (hold_days BETWEEN 0 AND 365),
    -- Rewards of this amount or more wait for a person; NULL: any amount is approved automatically.
    auto_approve_below_cents integer CHECK (auto_approve_below_cents BETWEEN 0 AND 10000000),
    -- A reward of a referral flagged by the fraud rules always waits for a person.
    review_flagged boolean NOT NULL DEFAULT true,
    -- A refund or cancellation this many days after the reward was created revokes or claws it back.
    clawback_window_days integer NOT NULL DEFAULT 30 CHECK (clawback_window_days BETWEEN 0 AND 3650),
    -- Approved cents per UTC period; NULL: no cap.
    spend_cap_cents bigint CHECK (spend_cap_cents BETWEEN 1 AND 100000000000),
    spend_cap_period text NOT NULL DEFAULT 'month' CHECK (spend_cap_period IN ('day', 'week', 'month')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- The admin who set them (JWT sub); no foreign key to an identity store.
    updated_by uuid
);

COMMENT ON TABLE referral_reward_rules IS
    'WS-170 reward rules per organization: hold days, automatic approval below an amount, review of flagged referrals, clawback window, spend cap per UTC period.';

-- Approved cents per organization and cap period, taken in the approving transaction.
CREATE TABLE IF NOT EXISTS referral_spend_counters (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    period_start date NOT NULL,
    spent_cents bigint NOT NULL CHECK (spent_cents >= 0),
    PRIMARY KEY (organization_id, period_start)
);

COMMENT ON TABLE referral_spend_counters IS
    'WS-170 spend caps: approved reward cents per organization and UTC period, written only by referral_reward_apply.';

-- ---------------------------------------------------------------------------------------------
-- The reward's current state (a projection of its ledger, kept in the same transaction)
-- ---------------------------------------------------------------------------------------------
ALTER TABLE referral_rewards
    ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'pending',
    -- What billing delivers: account credit, free months, or a discount on the next invoice.
    ADD COLUMN IF NOT EXISTS reward_type text NOT NULL DEFAULT 'credit',
    ADD COLUMN IF NOT EXISTS hold_until timestamptz,
    -- Why a pending or approved reward waits: holding, review_flagged, review_amount, spend_cap_reached, awaiting_fulfilment.
    ADD COLUMN IF NOT EXISTS wait_reason text,
    ADD COLUMN IF NOT EXISTS fulfilled_at timestamptz,
    ADD COLUMN IF NOT EXISTS clawed_back_at timestamptz,
    -- The last fulfilment request sent to billing and how many were sent; re-sent until acknowledged.
    ADD COLUMN IF NOT EXISTS fulfilment_requested_at timestamptz,
    ADD COLUMN IF NOT EXISTS fulfilment_requests integer NOT NULL DEFAULT 0;

ALTER TABLE referral_rewards ADD CONSTRAINT referral_rewards_state_check
    CHECK (state IN ('pending', 'approved', 'fulfilled', 'revoked', 'clawed_back')) NOT VALID;
ALTER TABLE referral_rewards ADD CONSTRAINT referral_rewards_reward_type_check
    CHECK (reward_type IN ('credit', 'free_month', 'discount')) NOT VALID;
ALTER TABLE referral_rewards ADD CONSTRAINT referral_rewards_wait_reason_check
    CHECK (wait_reason IN ('holding', 'review_flagged', 'review_amount', 'spend_cap_reached', 'awaiting_fulfilment')) NOT VALID;
ALTER TABLE referral_rewards ADD CONSTRAINT referral_rewards_fulfilment_requests_check
    CHECK (fulfilment_requests >= 0) NOT VALID;

COMMENT ON COLUMN referral_rewards.state IS
    'The last transition of the reward''s ledger (pending, approved, fulfilled, revoked, clawed_back); status keeps the earlier pending/granted/revoked view.';

-- ---------------------------------------------------------------------------------------------
-- The ledger
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referral_reward_ledger (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    reward_id uuid NOT NULL REFERENCES referral_rewards (id),
    -- Who the reward is for (JWT sub), copied so balances are sums of this table alone.
    beneficiary_user_id uuid,
    transition text NOT NULL CHECK (transition IN ('pending', 'approved', 'fulfilled', 'revoked', 'clawed_back')),
    from_state text CHECK (from_state IN ('pending', 'approved', 'fulfilled')),
    -- Signed changes of the three balances: waiting, owed (approved, not yet delivered; negative after a
    -- clawback of a delivered reward) and paid (delivered).
    pending_cents bigint NOT NULL,
    owed_cents bigint NOT NULL,
    paid_cents bigint NOT NULL,
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- system (rules, sweeps), service (signup and billing), admin (the organization's reviewer), migration.
    actor_role text NOT NULL CHECK (actor_role IN ('system', 'service', 'admin', 'migration')),
    actor_user_id uuid,
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Each transition of a reward happens once, whatever the concurrency; also the reward_id foreign-key index.
    UNIQUE (reward_id, transition)
);

COMMENT ON TABLE referral_reward_ledger IS
    'WS-170 reward ledger: one append-only entry per reward transition (who, when, why) with signed pending/owed/paid cents; balances are its sums.';

-- Balances per referrer; also the organization_id foreign-key index.
CREATE INDEX IF NOT EXISTS ix_referral_reward_ledger_org_beneficiary
    ON referral_reward_ledger (organization_id, beneficiary_user_id, created_at);

-- Append-only: entries are never changed or deleted, except with their organization (the cascade).
CREATE OR REPLACE FUNCTION referral_reward_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'referral_reward_ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege', HINT = 'Correct a reward with a new transition (revoked, clawed_back).';
END
$$;

REVOKE ALL ON FUNCTION referral_reward_ledger_append_only() FROM PUBLIC;

DROP TRIGGER IF EXISTS referral_reward_ledger_append_only ON referral_reward_ledger;
CREATE TRIGGER referral_reward_ledger_append_only
    BEFORE UPDATE OR DELETE ON referral_reward_ledger
    FOR EACH ROW EXECUTE FUNCTION referral_reward_ledger_append_only();
DROP TRIGGER IF EXISTS referral_reward_ledger_no_truncate ON referral_reward_ledger;
CREATE TRIGGER referral_reward_ledger_no_truncate
    BEFORE TRUNCATE ON referral_reward_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION referral_reward_ledger_append_only();

-- ---------------------------------------------------------------------------------------------
-- Referral webhooks: per-organization subscriptions on the signed outbox (topic 'referrals')
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS referral_webhook_subscriptions (
    subscription_id uuid PRIMARY KEY REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- NULL: every referral and reward event; otherwise only these.
    event_types text[] CHECK (
        event_types IS NULL
        OR (cardinality(event_types) >= 1
            AND event_types <@ ARRAY['referral.created', 'referral.converted', 'referral.flagged', 'reward.pending', 'reward.approved',
                                     'reward.fulfilled', 'reward.revoked', 'reward.clawed_back']::text[]))
);

COMMENT ON TABLE referral_webhook_subscriptions IS
    'Which organization''s referral and reward events a webhook subscription of topic referrals receives, and which types.';

CREATE INDEX IF NOT EXISTS ix_referral_webhook_subscriptions_org ON referral_webhook_subscriptions (organization_id);

-- One outbox row per matching subscription of the organization, in the caller's transaction.
CREATE OR REPLACE FUNCTION referral_webhook_enqueue(p_org uuid, p_type text, p_at timestamptz, p_data jsonb)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    INSERT INTO public.webhook_outbox (subscription_id, message_type, payload, summary)
    SELECT s.id, p_type,
           jsonb_build_object('type', p_type, 'timestamp', p_at, 'data', p_data),
           left(format('WedSync referrals: %s %s', p_type, coalesce(p_data ->> 'rewardId', p_data ->> 'referralId', '')), 4000)
    FROM public.referral_webhook_subscriptions f
    JOIN public.webhook_subscriptions s ON s.id = f.subscription_id
    WHERE f.organization_id = p_org AND s.topic = 'referrals'
      AND (f.event_types IS NULL OR p_type = ANY (f.event_types))
$$;

REVOKE ALL ON FUNCTION referral_webhook_enqueue(uuid, text, timestamptz, jsonb) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Transitions
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION referral_reward_payload(r public.referral_rewards, p_from text, p_reason text, p_entry uuid)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT jsonb_build_object(
        'rewardId', r.id, 'referralId', r.referral_id, 'organizationId', r.organization_id,
        'side', r.side, 'trigger', r.trigger, 'tier', r.tier, 'rewardType', r.reward_type,
        'amountCents', r.amount_cents, 'currency', r.currency, 'beneficiaryUserId', r.beneficiary_user_id,
        'state', r.state, 'fromState', p_from, 'reason', p_reason, 'ledgerEntryId', p_entry,
        'fulfilmentRequests', r.fulfilment_requests,
        'acknowledgeUrl', '/api/referrals/rewards/' || r.id || '/fulfilled')
$$;

REVOKE ALL ON FUNCTION referral_reward_payload(public.referral_rewards, text, text, uuid) FROM PUBLIC;

-- The one writer of transitions. Locks the reward, answers 'already' when the transition is recorded,
-- 'invalid_transition' when the reward's state does not allow it, 'spend_cap_reached' when an approval
-- would pass the organization's cap (the counter row lock makes the cap exact); else appends the entry,
-- moves the reward (and its earlier status view) and queues the webhook: all in the caller's transaction.
CREATE OR REPLACE FUNCTION referral_reward_apply(p_reward uuid, p_to text, p_actor_role text, p_actor uuid, p_reason text)
RETURNS TABLE (outcome text, reward_state text, entry_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    r public.referral_rewards;
    v_rules public.referral_reward_rules;
    v_existing uuid;
    v_entry uuid;
    v_amount bigint;
    v_pending bigint := 0;
    v_owed bigint := 0;
    v_paid bigint := 0;
    v_period date;
    v_spent bigint;
    v_from text;
BEGIN
    SELECT * INTO r FROM public.referral_rewards w WHERE w.id = p_reward FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::uuid;
        RETURN;
    END IF;
    SELECT l.id INTO v_existing FROM public.referral_reward_ledger l WHERE l.reward_id = p_reward AND l.transition = p_to;
    IF v_existing IS NOT NULL THEN
        RETURN QUERY SELECT 'already'::text, r.state, v_existing;
        RETURN;
    END IF;

    v_from := r.state;
    v_amount := r.amount_cents;
    CASE
        WHEN v_from = 'pending' AND p_to = 'approved' THEN v_pending := -v_amount; v_owed := v_amount;
        WHEN v_from = 'approved' AND p_to = 'fulfilled' THEN v_owed := -v_amount; v_paid := v_amount;
        WHEN v_from = 'pending' AND p_to = 'revoked' THEN v_pending := -v_amount;
        WHEN v_from = 'approved' AND p_to = 'revoked' THEN v_owed := -v_amount;
        -- Delivered already: the referrer owes it back, a negative owed balance; nothing is deleted.
        WHEN v_from = 'fulfilled' AND p_to = 'clawed_back' THEN v_owed := -v_amount;
        ELSE
            RETURN QUERY SELECT 'invalid_transition'::text, r.state, NULL::uuid;
            RETURN;
    END CASE;

    SELECT * INTO v_rules FROM public.referral_reward_rules x WHERE x.organization_id = r.organization_id;
    IF p_to = 'approved' AND v_rules.spend_cap_cents IS NOT NULL THEN
        v_period := date_trunc(v_rules.spend_cap_period, now() AT TIME ZONE 'UTC')::date;
        INSERT INTO public.referral_spend_counters AS c (organization_id, period_start, spent_cents)
        SELECT r.organization_id, v_period, v_amount WHERE v_amount <= v_rules.spend_cap_cents
        ON CONFLICT (organization_id, period_start) DO UPDATE SET spent_cents = c.spent_cents + excluded.spent_cents
            WHERE c.spent_cents + excluded.spent_cents <= v_rules.spend_cap_cents
        RETURNING c.spent_cents INTO v_spent;
        IF v_spent IS NULL THEN
            UPDATE public.referral_rewards SET wait_reason = 'spend_cap_reached' WHERE id = r.id;
            RETURN QUERY SELECT 'spend_cap_reached'::text, r.state, NULL::uuid;
            RETURN;
        END IF;
    ELSIF p_to = 'revoked' AND v_from = 'approved' AND v_rules.spend_cap_cents IS NOT NULL THEN
        -- A revoked approval gives its cents back to the period it was approved in.
        UPDATE public.referral_spend_counters c SET spent_cents = greatest(c.spent_cents - v_amount, 0)
        WHERE c.organization_id = r.organization_id
          AND c.period_start = (SELECT date_trunc(v_rules.spend_cap_period, l.created_at AT TIME ZONE 'UTC')::date
                                FROM public.referral_reward_ledger l WHERE l.reward_id = r.id AND l.transition = 'approved');
    END IF;

    INSERT INTO public.referral_reward_ledger AS l (organization_id, reward_id, beneficiary_user_id, transition, from_state,
                                                    pending_cents, owed_cents, paid_cents, currency, actor_role, actor_user_id, reason)
    VALUES (r.organization_id, r.id, r.beneficiary_user_id, p_to, v_from, v_pending, v_owed, v_paid, r.currency,
            p_actor_role, p_actor, left(coalesce(nullif(btrim(p_reason), ''), p_to), 1000))
    ON CONFLICT (reward_id, transition) DO NOTHING
    RETURNING l.id INTO v_entry;

    UPDATE public.referral_rewards w
    SET state = p_to,
        status = CASE p_to WHEN 'approved' THEN 'granted' WHEN 'fulfilled' THEN 'granted' ELSE 'revoked' END,
        granted_at = CASE WHEN p_to = 'approved' THEN now() ELSE w.granted_at END,
        revoked_at = CASE WHEN p_to IN ('revoked', 'clawed_back') THEN now() ELSE w.revoked_at END,
        fulfilled_at = CASE WHEN p_to = 'fulfilled' THEN now() ELSE w.fulfilled_at END,
        clawed_back_at = CASE WHEN p_to = 'clawed_back' THEN now() ELSE w.clawed_back_at END,
        wait_reason = CASE WHEN p_to = 'approved' THEN 'awaiting_fulfilment' END,
        fulfilment_requested_at = CASE WHEN p_to = 'approved' THEN now() ELSE w.fulfilment_requested_at END,
        fulfilment_requests = w.fulfilment_requests + CASE WHEN p_to = 'approved' THEN 1 ELSE 0 END
    WHERE w.id = r.id
    RETURNING * INTO r;

    PERFORM public.referral_webhook_enqueue(r.organization_id, 'reward.' || p_to, now(),
        public.referral_reward_payload(r, v_from, p_reason, v_entry));
    RETURN QUERY SELECT 'applied'::text, r.state, v_entry;
END
$$;

REVOKE ALL ON FUNCTION referral_reward_apply(uuid, text, text, uuid, text) FROM PUBLIC;

-- Decides a pending reward by its organization's rules: approved when its hold is over, no review is
-- due and the cap allows; otherwise it records why it waits. The caller holds or takes the row lock.
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
    END;
    IF v_wait IS NOT NULL THEN
        UPDATE public.referral_rewards SET wait_reason = v_wait WHERE id = r.id AND wait_reason IS DISTINCT FROM v_wait;
        RETURN v_wait;
    END IF;
    SELECT a.outcome INTO v_outcome
    FROM public.referral_reward_apply(r.id, 'approved', 'system', NULL,
        CASE WHEN r.hold_until > r.created_at THEN 'hold over; approved by the organization''s rules'
             ELSE 'approved by the organization''s rules' END) a;
    RETURN v_outcome;
END
$$;

REVOKE ALL ON FUNCTION referral_reward_evaluate(uuid) FROM PUBLIC;

-- New rewards: the first ledger entry, the hold from the rules, the type from the referral; then the
-- rules decide at once (no hold: approved in the inserting transaction, as before this script).
-- A row inserted as granted or revoked (imported history) is recorded as such, not re-decided.
CREATE OR REPLACE FUNCTION referral_rewards_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_hold integer;
BEGIN
    SELECT x.hold_days INTO v_hold FROM public.referral_reward_rules x WHERE x.organization_id = NEW.organization_id;
    NEW.hold_until := NEW.created_at + make_interval(days => coalesce(v_hold, 0));
    NEW.reward_type := coalesce((SELECT CASE f.reward_type WHEN 'feature' THEN 'free_month' ELSE f.reward_type END
                                 FROM public.referrals f WHERE f.id = NEW.referral_id), NEW.reward_type);
    NEW.state := 'pending';
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION referral_rewards_after_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_actor text := CASE WHEN app.is_service() THEN 'service' ELSE 'system' END;
    v_user uuid := app.current_user_id();
BEGIN
    INSERT INTO public.referral_reward_ledger (organization_id, reward_id, beneficiary_user_id, transition, from_state,
                                               pending_cents, owed_cents, paid_cents, currency, actor_role, actor_user_id, reason, created_at)
    VALUES (NEW.organization_id, NEW.id, NEW.beneficiary_user_id, 'pending', NULL, NEW.amount_cents, 0, 0, NEW.currency,
            v_actor, v_user, format('%s reward for %s (%s tier)', NEW.side, NEW.trigger, NEW.tier), NEW.created_at);
    PERFORM public.referral_webhook_enqueue(NEW.organization_id, 'reward.pending', NEW.created_at,
        public.referral_reward_payload(NEW, NULL, 'reward earned', NULL));
    IF NEW.status = 'granted' THEN
        PERFORM public.referral_reward_apply(NEW.id, 'approved', v_actor, v_user, 'recorded as granted');
    ELSIF NEW.status = 'revoked' THEN
        PERFORM public.referral_reward_apply(NEW.id, 'revoked', v_actor, v_user, 'recorded as revoked');
    ELSE
        PERFORM public.referral_reward_evaluate(NEW.id);
    END IF;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION referral_rewards_before_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION referral_rewards_after_insert() FROM PUBLIC;

DROP TRIGGER IF EXISTS referral_rewards_before_insert ON referral_rewards;
CREATE TRIGGER referral_rewards_before_insert
    BEFORE INSERT ON referral_rewards
    FOR EACH ROW EXECUTE FUNCTION referral_rewards_before_insert();
DROP TRIGGER IF EXISTS referral_rewards_after_insert ON referral_rewards;
CREATE TRIGGER referral_rewards_after_insert
    AFTER INSERT ON referral_rewards
    FOR EACH ROW EXECUTE FUNCTION referral_rewards_after_insert();

-- The request role's door to transitions: who may do what is decided here, from the claims.
-- Org admins (OWNER, ADMIN) approve and reject their organization's rewards; WedSync's services
-- (billing) do every transition, acknowledging fulfilment among them. A reward of another
-- organization is not_found, one the caller may see but not move is forbidden.
CREATE OR REPLACE FUNCTION referral_reward_transition(p_reward uuid, p_to text, p_reason text)
RETURNS TABLE (outcome text, reward_state text, entry_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_org uuid;
    v_role text;
BEGIN
    SELECT w.organization_id INTO v_org FROM public.referral_rewards w WHERE w.id = p_reward;
    IF v_org IS NULL OR p_to NOT IN ('approved', 'fulfilled', 'revoked', 'clawed_back') THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::uuid;
        RETURN;
    END IF;
    IF app.is_service() THEN
        v_role := 'service';
    ELSIF v_org IS DISTINCT FROM app.current_organization_id() THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::uuid;
        RETURN;
    ELSIF p_to IN ('approved', 'revoked') AND app.is_org_admin() THEN
        v_role := 'admin';
    ELSE
        RETURN QUERY SELECT 'forbidden'::text, NULL::text, NULL::uuid;
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM public.referral_reward_apply(p_reward, p_to, v_role, app.current_user_id(), p_reason);
END
$$;

REVOKE ALL ON FUNCTION referral_reward_transition(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_reward_transition(uuid, text, text) TO wedsync_user;
COMMENT ON FUNCTION referral_reward_transition(uuid, text, text) IS
    'Moves a reward (approved, fulfilled, revoked, clawed_back) for the claims'' caller: org admins approve and reject their organization''s, services do all.
advisor: allow definer_function_executable: admins approve rewards they may only read, and the ledger, spend counters and outbox have no request-role writes; the function checks the caller''s organization and role from the claims before it writes.';

-- A refund or cancellation of the referred account: every reward of its referral created within the
-- organization's clawback window before the event is revoked (not delivered yet) or clawed back
-- (delivered: a negative owed entry). Outside the window nothing changes. Services only.
CREATE OR REPLACE FUNCTION referral_refund_event(p_referred_user uuid, p_event text, p_occurred_at timestamptz, p_reason text)
RETURNS TABLE (referral_id uuid, reward_id uuid, outcome text, reward_state text, entry_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_referral public.referrals;
    v_window integer;
    w record;
    v_to text;
    v_reason text := left(coalesce(nullif(btrim(p_reason), ''), p_event), 1000);
BEGIN
    IF NOT app.is_service() THEN
        RAISE EXCEPTION 'refund events come from WedSync''s services' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO v_referral FROM public.referrals f WHERE f.referred_user_id = p_referred_user;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(x.clawback_window_days, 30) INTO v_window
    FROM (SELECT 1) one LEFT JOIN public.referral_reward_rules x ON x.organization_id = v_referral.organization_id;
    FOR w IN SELECT r.id, r.state, r.created_at FROM public.referral_rewards r WHERE r.referral_id = v_referral.id ORDER BY r.id FOR UPDATE
    LOOP
        IF p_occurred_at > w.created_at + make_interval(days => v_window) THEN
            RETURN QUERY SELECT v_referral.id, w.id, 'outside_window'::text, w.state, NULL::uuid;
            CONTINUE;
        END IF;
        v_to := CASE WHEN w.state IN ('fulfilled', 'clawed_back') THEN 'clawed_back' ELSE 'revoked' END;
        RETURN QUERY SELECT v_referral.id, w.id, a.outcome, a.reward_state, a.entry_id
            FROM public.referral_reward_apply(w.id, v_to, 'service', app.current_user_id(), p_event || ': ' || v_reason) a;
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION referral_refund_event(uuid, text, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_refund_event(uuid, text, timestamptz, text) TO wedsync_user;
COMMENT ON FUNCTION referral_refund_event(uuid, text, timestamptz, text) IS
    'Revokes or claws back the rewards of a refunded or cancelled referred account inside the clawback window (services only).
advisor: allow definer_function_executable: billing reports refunds across organizations and the ledger has no request-role writes; the function refuses any caller without the service role.';

-- The sweeps (the API's login, across organizations): holds that are over, and fulfilment requests
-- billing has not acknowledged within p_resend_after. SKIP LOCKED: API instances share the work.
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
        WHERE r.state = 'pending' AND r.hold_until <= now() AND r.wait_reason IN ('holding', 'spend_cap_reached')
        ORDER BY r.hold_until
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    LOOP
        IF public.referral_reward_evaluate(v_id) = 'applied' THEN
            v_approved := v_approved + 1;
        END IF;
    END LOOP;
    RETURN v_approved;
END
$$;

CREATE OR REPLACE FUNCTION referral_rewards_request_fulfilment(p_resend_after interval, p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    r public.referral_rewards;
    v_sent integer := 0;
BEGIN
    FOR r IN
        SELECT * FROM public.referral_rewards w
        WHERE w.state = 'approved' AND w.fulfilment_requested_at <= now() - p_resend_after
          -- No receiver, no request: the reward keeps its old time and goes out once one subscribes.
          AND EXISTS (SELECT 1 FROM public.referral_webhook_subscriptions f
                      WHERE f.organization_id = w.organization_id
                        AND (f.event_types IS NULL OR 'reward.approved' = ANY (f.event_types)))
        ORDER BY w.fulfilment_requested_at
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    LOOP
        UPDATE public.referral_rewards w SET fulfilment_requested_at = now(), fulfilment_requests = w.fulfilment_requests + 1
        WHERE w.id = r.id
        RETURNING * INTO r;
        PERFORM public.referral_webhook_enqueue(r.organization_id, 'reward.approved', now(),
            public.referral_reward_payload(r, 'pending', 'fulfilment not acknowledged yet; sent again', NULL));
        v_sent := v_sent + 1;
    END LOOP;
    RETURN v_sent;
END
$$;

REVOKE ALL ON FUNCTION referral_rewards_release_due(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION referral_rewards_request_fulfilment(interval, integer) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Backfill: every existing reward gets the entries its status implies (actor migration)
-- ---------------------------------------------------------------------------------------------
INSERT INTO referral_reward_ledger (organization_id, reward_id, beneficiary_user_id, transition, from_state,
                                    pending_cents, owed_cents, paid_cents, currency, actor_role, reason, created_at)
SELECT r.organization_id, r.id, r.beneficiary_user_id, 'pending', NULL, r.amount_cents, 0, 0, r.currency, 'migration',
       'backfill: reward recorded before the ledger', r.created_at
FROM referral_rewards r
ON CONFLICT (reward_id, transition) DO NOTHING;

INSERT INTO referral_reward_ledger (organization_id, reward_id, beneficiary_user_id, transition, from_state,
                                    pending_cents, owed_cents, paid_cents, currency, actor_role, reason, created_at)
SELECT r.organization_id, r.id, r.beneficiary_user_id,
       CASE r.status WHEN 'granted' THEN 'approved' ELSE 'revoked' END, 'pending',
       -r.amount_cents, CASE r.status WHEN 'granted' THEN r.amount_cents ELSE 0 END, 0, r.currency, 'migration',
       'backfill: status ' || r.status || ' before the ledger',
       coalesce(CASE r.status WHEN 'granted' THEN r.granted_at ELSE r.revoked_at END, r.created_at)
FROM referral_rewards r
WHERE r.status IN ('granted', 'revoked')
ON CONFLICT (reward_id, transition) DO NOTHING;

UPDATE referral_rewards r
SET state = CASE r.status WHEN 'granted' THEN 'approved' WHEN 'revoked' THEN 'revoked' ELSE 'pending' END,
    hold_until = r.created_at,
    wait_reason = CASE r.status WHEN 'granted' THEN 'awaiting_fulfilment'
                                WHEN 'pending' THEN 'review_flagged' END,
    fulfilment_requested_at = CASE r.status WHEN 'granted' THEN r.granted_at END,
    reward_type = CASE f.reward_type WHEN 'feature' THEN 'free_month' ELSE f.reward_type END
FROM referrals f
WHERE f.id = r.referral_id AND r.state = 'pending' AND r.hold_until IS NULL;

-- ---------------------------------------------------------------------------------------------
-- Row-level security and grants
-- ---------------------------------------------------------------------------------------------
ALTER TABLE referral_reward_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_spend_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_reward_ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_webhook_subscriptions ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS referral_reward_rules_select ON referral_reward_rules;
CREATE POLICY referral_reward_rules_select ON referral_reward_rules FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_service()));
DROP POLICY IF EXISTS referral_reward_rules_insert ON referral_reward_rules;
CREATE POLICY referral_reward_rules_insert ON referral_reward_rules FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));
DROP POLICY IF EXISTS referral_reward_rules_update ON referral_reward_rules;
CREATE POLICY referral_reward_rules_update ON referral_reward_rules FOR UPDATE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));

DROP POLICY IF EXISTS referral_spend_counters_select ON referral_spend_counters;
CREATE POLICY referral_spend_counters_select ON referral_spend_counters FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));

DROP POLICY IF EXISTS referral_reward_ledger_select ON referral_reward_ledger;
CREATE POLICY referral_reward_ledger_select ON referral_reward_ledger FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_service()));

DROP POLICY IF EXISTS referral_webhook_subscriptions_select ON referral_webhook_subscriptions;
CREATE POLICY referral_webhook_subscriptions_select ON referral_webhook_subscriptions FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));

REVOKE ALL ON referral_reward_rules, referral_spend_counters, referral_reward_ledger, referral_webhook_subscriptions FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON referral_reward_rules TO wedsync_user;
GRANT SELECT ON referral_spend_counters, referral_reward_ledger, referral_webhook_subscriptions TO wedsync_user;
-- A reward changes only by a ledger transition (referral_reward_transition, referral_refund_event).
REVOKE UPDATE ON referral_rewards FROM wedsync_user;
