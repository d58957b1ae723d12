-- Issue 27: validates the wider event type list of 20250904300000 in a transaction of its own
-- (SHARE UPDATE EXCLUSIVE: subscriptions are read and written meanwhile).
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

ALTER TABLE referral_webhook_subscriptions VALIDATE CONSTRAINT referral_webhook_subscriptions_event_types_check;
