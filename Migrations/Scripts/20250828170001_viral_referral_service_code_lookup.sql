-- WS-170 follow-up: conversions arrive from WedSync's signup and billing services with the code
-- the new user came with. Those callers belong to no organization, so the tenant policy of
-- referral_codes hid every code from them; they may read (never write) codes across organizations,
-- as they already may read referrals.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

DROP POLICY IF EXISTS referral_codes_service_select ON referral_codes;
CREATE POLICY referral_codes_service_select ON referral_codes FOR SELECT TO wedsync_user
    USING ((SELECT app.is_service()));
