-- migrator: no-transaction
-- Issue 27: the reward sweeps' and the review queue's reads of referral_rewards: holds that are over,
-- fulfilment requests to send again, and an organization's rewards by state. Built concurrently:
-- conversions insert rewards meanwhile; this script runs statement by statement (its first line).
-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referral_rewards_pending_hold
    ON referral_rewards (hold_until) WHERE state = 'pending';
-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referral_rewards_awaiting_fulfilment
    ON referral_rewards (fulfilment_requested_at) WHERE state = 'approved';
-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referral_rewards_org_state
    ON referral_rewards (organization_id, state, created_at);
