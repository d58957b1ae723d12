-- WS-170 follow-up (issue 15, advisor check multiple_permissive_policies): several referral tables
-- had a tenant policy and a service policy for the same role (wedsync_user) and command, e.g.
-- referrals SELECT: referrals_service + referrals_tenant_select. PostgreSQL ORs the permissive
-- policies of a command anyway; written as one policy per command, that OR is stated once, in one
-- place a reader checks, and every command keeps exactly the rows it had:
--   * a SELECT policy ORs every former SELECT and ALL policy's USING (UPDATE ... WHERE, DELETE ...
--     WHERE and RETURNING read through the SELECT policy, so they keep their reach too);
--   * INSERT, UPDATE and DELETE policies keep the former ALL and per-command expressions
--     (WITH CHECK falls back to USING where it was absent, as before).
-- The tenant arm comes first: it is what a tenant's request pays for.
-- Old and new policies are swapped inside this script's transaction, so no request sees a table
-- without its policies.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- referral_codes: the tenant's own codes (ALL) + the service reads every code (SELECT).
DROP POLICY IF EXISTS referral_codes_tenant ON referral_codes;
DROP POLICY IF EXISTS referral_codes_service_select ON referral_codes;
CREATE POLICY referral_codes_select ON referral_codes FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_service()));
CREATE POLICY referral_codes_insert ON referral_codes FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY referral_codes_update ON referral_codes FOR UPDATE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY referral_codes_delete ON referral_codes FOR DELETE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));

-- referrals: the service does everything (ALL); a tenant reads and creates its organization's (SELECT, INSERT).
DROP POLICY IF EXISTS referrals_service ON referrals;
DROP POLICY IF EXISTS referrals_tenant_select ON referrals;
DROP POLICY IF EXISTS referrals_tenant_insert ON referrals;
CREATE POLICY referrals_select ON referrals FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_service()));
CREATE POLICY referrals_insert ON referrals FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_service()));
CREATE POLICY referrals_update ON referrals FOR UPDATE TO wedsync_user
    USING ((SELECT app.is_service()))
    WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referrals_delete ON referrals FOR DELETE TO wedsync_user
    USING ((SELECT app.is_service()));

-- referral_conversions and referral_rewards: the service does everything (ALL); a tenant reads its organization's (SELECT).
DROP POLICY IF EXISTS referral_conversions_service ON referral_conversions;
DROP POLICY IF EXISTS referral_conversions_tenant_select ON referral_conversions;
CREATE POLICY referral_conversions_select ON referral_conversions FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_service()));
CREATE POLICY referral_conversions_insert ON referral_conversions FOR INSERT TO wedsync_user
    WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referral_conversions_update ON referral_conversions FOR UPDATE TO wedsync_user
    USING ((SELECT app.is_service()))
    WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referral_conversions_delete ON referral_conversions FOR DELETE TO wedsync_user
    USING ((SELECT app.is_service()));

DROP POLICY IF EXISTS referral_rewards_service ON referral_rewards;
DROP POLICY IF EXISTS referral_rewards_tenant_select ON referral_rewards;
CREATE POLICY referral_rewards_select ON referral_rewards FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_service()));
CREATE POLICY referral_rewards_insert ON referral_rewards FOR INSERT TO wedsync_user
    WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referral_rewards_update ON referral_rewards FOR UPDATE TO wedsync_user
    USING ((SELECT app.is_service()))
    WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referral_rewards_delete ON referral_rewards FOR DELETE TO wedsync_user
    USING ((SELECT app.is_service()));
