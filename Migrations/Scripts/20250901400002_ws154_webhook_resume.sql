-- WS-154 follow-up (issue 17): resuming a paused webhook subscription sends the messages it held at
-- once. While paused, their retry times kept growing (up to Webhooks:BackoffMax); the operator who
-- fixed the receiver should not wait that long. The request role may therefore move next_attempt_at
-- of pending messages, and nothing else of the outbox.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

DROP POLICY IF EXISTS webhook_outbox_platform_admin_reschedule ON webhook_outbox;
CREATE POLICY webhook_outbox_platform_admin_reschedule ON webhook_outbox FOR UPDATE TO wedsync_user
    USING ((SELECT app.is_platform_admin()) AND status = 'pending')
    WITH CHECK ((SELECT app.is_platform_admin()) AND status = 'pending');

GRANT UPDATE (next_attempt_at) ON webhook_outbox TO wedsync_user;
