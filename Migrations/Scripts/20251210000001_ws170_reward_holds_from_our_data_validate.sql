-- Issue 27: validates the constraints 20251210000000 added NOT VALID, in a transaction of its own:
-- VALIDATE takes a SHARE UPDATE EXCLUSIVE lock, so conversions go on meanwhile.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE referral_reward_rules VALIDATE CONSTRAINT referral_reward_rules_hold_kind_check;
ALTER TABLE referral_rewards VALIDATE CONSTRAINT referral_rewards_hold_condition_check;
ALTER TABLE referral_rewards VALIDATE CONSTRAINT referral_rewards_wait_reason_check;
