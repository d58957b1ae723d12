-- migrator: no-transaction
-- Issue 22, kind 5: the head of each subscription's queue (its oldest pending message), for the
-- delivery claim. Built concurrently: producers insert into webhook_outbox while it is built; this
-- script runs statement by statement (its first line), where the migrator refuses SET.
-- squawk-ignore ban-concurrent-index-creation-in-transaction, require-lock-timeout, require-statement-timeout
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_webhook_outbox_pending_in_order
    ON webhook_outbox (subscription_id, created_at, seq) WHERE status = 'pending';
