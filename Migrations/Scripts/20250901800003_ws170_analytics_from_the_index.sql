-- migrator: no-transaction
-- WS-170 follow-up (issue 16): GET /api/referrals/analytics over 90 days read every share event and
-- conversion of the organization in the window from the heap: its indexes, (organization_id, created_at)
-- and (organization_id, occurred_at), lacked the columns the endpoint counts and groups by. On 1M
-- referrals one organization's 7,444 share events of 90 days were 5,778 heap pages, 752 ms when not
-- cached, 43 ms as an index-only scan (bench/FINDINGS.md). The new indexes have the same keys, so they
-- also serve the organization_id foreign keys; the old ones go.
-- Built concurrently: both tables take writes (shares, conversions) while they are built. squawk reads
-- every script as one transaction; this one runs statement by statement (its first line), where the
-- migrator refuses SET, and CONCURRENTLY waits for writers instead of blocking them.
-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referral_share_events_org_created_covering
    ON referral_share_events (organization_id, created_at) INCLUDE (user_id, share_type, platform);

-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
DROP INDEX CONCURRENTLY IF EXISTS ix_referral_share_events_org_created;

-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_referral_conversions_org_occurred_covering
    ON referral_conversions (organization_id, occurred_at) INCLUDE (event);

-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
DROP INDEX CONCURRENTLY IF EXISTS ix_referral_conversions_org_occurred;
