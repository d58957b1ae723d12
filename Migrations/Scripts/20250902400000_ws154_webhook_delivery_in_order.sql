-- Issue 22, kind 5: one short outage silenced alerting. Every queued message was tried on its own, so
-- 12 alerts during a 30 s outage were 12 failures "in a row" and paused the subscription within
-- seconds, and nothing resumed it. Now a subscription is delivered in order, one message at a time:
-- the oldest pending message is the head, the rest wait behind it, so failures follow the backoff
-- schedule instead of the queue length. A pause needs failures spread over time (failing_since), and
-- a paused subscription is probed with its head message and resumes when that succeeds.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE webhook_subscriptions
    -- When the current failure streak began; NULL after a success.
    ADD COLUMN IF NOT EXISTS failing_since timestamptz,
    -- While a worker delivers this subscription's queue: no other worker takes it before then.
    ADD COLUMN IF NOT EXISTS lease_until timestamptz;

-- Insert order, the tie-break of created_at (one transaction's messages); NULL for rows older than this script.
CREATE SEQUENCE IF NOT EXISTS webhook_outbox_seq AS bigint;
ALTER TABLE webhook_outbox ADD COLUMN IF NOT EXISTS seq bigint;
ALTER TABLE webhook_outbox ALTER COLUMN seq SET DEFAULT nextval('webhook_outbox_seq');
ALTER SEQUENCE webhook_outbox_seq OWNED BY webhook_outbox.seq;

COMMENT ON COLUMN webhook_subscriptions.failing_since IS
    'Start of the current run of failed deliveries (NULL after a success); a pause needs failures spread over Webhooks:PauseAfterFailingFor.';
COMMENT ON COLUMN webhook_subscriptions.lease_until IS
    'A delivery worker holds this subscription''s queue until then; messages of one subscription are sent one at a time, in seq order.';
COMMENT ON COLUMN webhook_outbox.seq IS 'Insert order; a subscription''s pending messages are delivered in (created_at, seq) order.';

GRANT SELECT (failing_since) ON webhook_subscriptions TO wedsync_user;
-- The resume endpoint ends the failure streak.
GRANT UPDATE (failing_since) ON webhook_subscriptions TO wedsync_user;
