-- migrator: no-transaction
-- WS-170 follow-up (issue 16, "Faster"): GET /api/referrals/stats sums the caller's pending and
-- granted rewards. The index it found them by, (organization_id, beneficiary_user_id, status), lacked
-- the amount, so every reward was a heap fetch: on 1M referrals (682k rewards) the heaviest referrer's
-- 168 rewards read 171 heap pages, 61 ms of the statement's 63 ms when they were not cached
-- (bench/FINDINGS.md). With the amount included the sums are an index-only scan. The new index has the
-- same key, so it also serves the organization_id foreign key and "my rewards"; the old one goes.
-- Built concurrently: referral_rewards takes writes (conversions) while it is built. squawk reads every
-- script as one transaction; this one runs statement by statement (its first line), where the migrator
-- refuses SET, and CONCURRENTLY waits for writers instead of blocking them.
-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referral_rewards_org_beneficiary_status_amount
    ON referral_rewards (organization_id, beneficiary_user_id, status) INCLUDE (amount_cents);

-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
DROP INDEX CONCURRENTLY IF EXISTS ix_referral_rewards_org_beneficiary_status;
