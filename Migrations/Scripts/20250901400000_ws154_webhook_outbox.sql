-- WS-154 follow-up (issue 17, "alerts that reach a person"): a generic webhook outbox.
-- webhook_subscriptions says where messages of a topic go and how they are signed; webhook_outbox
-- holds one row per message and subscription, written in the transaction that produced the message
-- (a trigger of the producing table), and the API's delivery worker sends it at least once;
-- webhook_delivery_attempts is the log of every try. Monitoring alerts are the first topic
-- (the next script); referral events can use the same tables and worker.
-- Platform data for WedSync operators only: the request role sees it with the platform_admin claim.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Which producer's messages: 'monitoring' today; a producer's trigger selects its own topic.
    topic text NOT NULL CHECK (topic ~ '^[a-z][a-z0-9_.]{0,62}$'),
    url text NOT NULL CHECK (url ~* '^https?://' AND length(url) <= 2000),
    -- Standard Webhooks symmetric secret ('whsec_' + base64 of 24..64 bytes). Kept as is because
    -- every delivery is signed with it; the request role cannot read this column (grants below).
    signing_secret text NOT NULL CHECK (signing_secret ~ '^whsec_[A-Za-z0-9+/]+={0,2}$'),
    -- 'standard': the message's JSON; 'slack': {"text": summary} for Slack-compatible incoming webhooks.
    format text NOT NULL DEFAULT 'standard' CHECK (format IN ('standard', 'slack')),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The operator who created it (JWT sub); no foreign key to an identity store.
    created_by uuid,
    -- Failed attempts since the last success; at the worker's threshold the subscription is paused.
    consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    paused_at timestamptz,
    pause_reason text CHECK (length(pause_reason) <= 1000),
    CHECK (pause_reason IS NULL OR paused_at IS NOT NULL)
);

COMMENT ON TABLE webhook_subscriptions IS
    'Webhook receivers per topic (platform table, platform_admin only): URL, Standard Webhooks secret, body format, failure count and pause state.';

CREATE INDEX IF NOT EXISTS ix_webhook_subscriptions_topic ON webhook_subscriptions (topic) WHERE paused_at IS NULL;

CREATE TABLE IF NOT EXISTS webhook_outbox (
    -- Sent as webhook-id: the same on every attempt, so receivers can drop a repeated delivery.
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    -- The message type, e.g. 'monitoring.slow_query'.
    message_type text NOT NULL CHECK (length(message_type) BETWEEN 1 AND 200),
    -- The body in the standard format: {"type", "timestamp", "data"}.
    payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    -- One line for chat formats.
    summary text NOT NULL CHECK (length(summary) <= 4000),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- pending: to send (again) at next_attempt_at; delivered: a 2xx came back; failed: attempts ran out.
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- While an attempt is under way this is its lease: another worker may take the row after it.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    last_error text CHECK (length(last_error) <= 2000),
    CHECK (delivered_at IS NULL OR status = 'delivered')
);

COMMENT ON TABLE webhook_outbox IS
    'One message for one webhook subscription, written in the producer''s transaction; id is the webhook-id of every attempt.';

-- The worker's claim: due pending rows, oldest first. Delivered rows are the bulk and stay out of it.
CREATE INDEX IF NOT EXISTS ix_webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE status = 'pending';
-- The delivery log per subscription, newest first; also serves the foreign key.
CREATE INDEX IF NOT EXISTS ix_webhook_outbox_subscription ON webhook_outbox (subscription_id, created_at);
-- The retention clean-up.
CREATE INDEX IF NOT EXISTS ix_webhook_outbox_created_at ON webhook_outbox (created_at);

CREATE TABLE IF NOT EXISTS webhook_delivery_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id uuid NOT NULL REFERENCES webhook_outbox (id) ON DELETE CASCADE,
    attempt integer NOT NULL CHECK (attempt >= 1),
    attempted_at timestamptz NOT NULL,
    duration_ms integer NOT NULL CHECK (duration_ms >= 0),
    -- The receiver's HTTP status; NULL when none came back (refused, timed out).
    status_code integer CHECK (status_code BETWEEN 100 AND 599),
    succeeded boolean NOT NULL,
    error text CHECK (length(error) <= 2000)
);

COMMENT ON TABLE webhook_delivery_attempts IS
    'Every delivery attempt of a webhook_outbox row: when, how long, the HTTP status or the error.';

CREATE INDEX IF NOT EXISTS ix_webhook_delivery_attempts_outbox ON webhook_delivery_attempts (outbox_id, attempt);

ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_delivery_attempts ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS webhook_subscriptions_platform_admin ON webhook_subscriptions;
CREATE POLICY webhook_subscriptions_platform_admin ON webhook_subscriptions FOR ALL TO wedsync_user
    USING ((SELECT app.is_platform_admin()))
    WITH CHECK ((SELECT app.is_platform_admin()));
DROP POLICY IF EXISTS webhook_outbox_platform_admin ON webhook_outbox;
CREATE POLICY webhook_outbox_platform_admin ON webhook_outbox FOR SELECT TO wedsync_user
    USING ((SELECT app.is_platform_admin()));
DROP POLICY IF EXISTS webhook_delivery_attempts_platform_admin ON webhook_delivery_attempts;
CREATE POLICY webhook_delivery_attempts_platform_admin ON webhook_delivery_attempts FOR SELECT TO wedsync_user
    USING ((SELECT app.is_platform_admin()));

-- The request role manages subscriptions but never reads a secret back (it is shown once, at
-- creation, from the API's own memory) and never writes the outbox or the log: producers' triggers
-- and the worker (the API's login) do.
REVOKE ALL ON webhook_subscriptions, webhook_outbox, webhook_delivery_attempts FROM PUBLIC;
GRANT SELECT (id, topic, url, format, created_at, created_by, consecutive_failures, paused_at, pause_reason)
    ON webhook_subscriptions TO wedsync_user;
GRANT INSERT (topic, url, signing_secret, format, created_by) ON webhook_subscriptions TO wedsync_user;
GRANT UPDATE (consecutive_failures, paused_at, pause_reason) ON webhook_subscriptions TO wedsync_user;
GRANT DELETE ON webhook_subscriptions TO wedsync_user;
GRANT SELECT ON webhook_outbox, webhook_delivery_attempts TO wedsync_user;
