-- Issue 27: a reward's hold can follow the referred vendor's own data instead of fixed days: their first
-- delivered wedding (a weddings row of their organization with status completed, dated on or after the
-- UTC day before they signed up: the weddings they deliver as our customer, imported history left out)
-- or their WS-168 health score (the latest customer_health_scores row of their organization at or above
-- a threshold). No new table: WS-153's weddings and WS-168's scores are the data. The referred vendor's
-- organization is the one user_profiles gives referred_user_id. The rule is copied onto each reward when
-- it is earned, as hold_days is; the functions that decide (referral_reward_evaluate, the sweep, the
-- insert trigger) are restated in their repeatable scripts (R__referral_reward_*.sql).
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE referral_reward_rules
    ADD COLUMN IF NOT EXISTS hold_kind text NOT NULL DEFAULT 'days',
    -- 0 to 100; set exactly when hold_kind is health_score.
    ADD COLUMN IF NOT EXISTS health_score_threshold smallint;

ALTER TABLE referral_reward_rules ADD CONSTRAINT referral_reward_rules_hold_kind_check CHECK (
    hold_kind IN ('days', 'first_wedding_delivered', 'health_score')
    AND (hold_kind = 'health_score') = (health_score_threshold IS NOT NULL)
    AND (health_score_threshold IS NULL OR health_score_threshold BETWEEN 0 AND 100)) NOT VALID;

COMMENT ON COLUMN referral_reward_rules.hold_kind IS
    'What ends a new reward''s hold after hold_days: days (nothing more), first_wedding_delivered (the referred vendor delivered a wedding) or health_score (their latest WS-168 score reached health_score_threshold).';

ALTER TABLE referral_rewards
    -- The rule's condition when the reward was earned; NULL: the hold is days only.
    ADD COLUMN IF NOT EXISTS hold_condition text,
    ADD COLUMN IF NOT EXISTS hold_health_threshold smallint;

ALTER TABLE referral_rewards ADD CONSTRAINT referral_rewards_hold_condition_check CHECK (
    (hold_condition IS NULL OR hold_condition IN ('first_wedding_delivered', 'health_score'))
    AND (hold_condition IS NOT DISTINCT FROM 'health_score') = (hold_health_threshold IS NOT NULL)
    AND (hold_health_threshold IS NULL OR hold_health_threshold BETWEEN 0 AND 100)) NOT VALID;

-- Two more reasons a pending reward waits; the old rows all satisfy the wider list (validated next script).
ALTER TABLE referral_rewards DROP CONSTRAINT IF EXISTS referral_rewards_wait_reason_check;
ALTER TABLE referral_rewards ADD CONSTRAINT referral_rewards_wait_reason_check CHECK (
    wait_reason IN ('holding', 'review_flagged', 'review_amount', 'spend_cap_reached', 'awaiting_fulfilment',
                    'waiting_first_wedding', 'waiting_health_score')) NOT VALID;

COMMENT ON COLUMN referral_rewards.hold_condition IS
    'What else the hold waits for after hold_until: first_wedding_delivered or health_score (at least hold_health_threshold); NULL: nothing.';
