-- Issue 27: validates the reward state constraints the ledger script added NOT VALID, in a transaction
-- of its own: VALIDATE takes a SHARE UPDATE EXCLUSIVE lock, so conversions go on meanwhile.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE referral_rewards VALIDATE CONSTRAINT referral_rewards_state_check;
ALTER TABLE referral_rewards VALIDATE CONSTRAINT referral_rewards_reward_type_check;
ALTER TABLE referral_rewards VALIDATE CONSTRAINT referral_rewards_wait_reason_check;
ALTER TABLE referral_rewards VALIDATE CONSTRAINT referral_rewards_fulfilment_requests_check;
