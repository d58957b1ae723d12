-- The referral tables' policies as they were before issue 15's consolidation (20250901200002):
-- several permissive policies per role and command. Only for bench/policies.sh, which switches a
-- bench database between this layout and the migrated one (by applying 20250901200002 again) to
-- measure both on the same data.
DROP POLICY IF EXISTS referral_codes_select ON referral_codes;
DROP POLICY IF EXISTS referral_codes_insert ON referral_codes;
DROP POLICY IF EXISTS referral_codes_update ON referral_codes;
DROP POLICY IF EXISTS referral_codes_delete ON referral_codes;
CREATE POLICY referral_codes_tenant ON referral_codes FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY referral_codes_service_select ON referral_codes FOR SELECT TO wedsync_user USING ((SELECT app.is_service()));

DROP POLICY IF EXISTS referrals_select ON referrals;
DROP POLICY IF EXISTS referrals_insert ON referrals;
DROP POLICY IF EXISTS referrals_update ON referrals;
DROP POLICY IF EXISTS referrals_delete ON referrals;
CREATE POLICY referrals_service ON referrals FOR ALL TO wedsync_user
    USING ((SELECT app.is_service())) WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referrals_tenant_select ON referrals FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY referrals_tenant_insert ON referrals FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

DROP POLICY IF EXISTS referral_conversions_select ON referral_conversions;
DROP POLICY IF EXISTS referral_conversions_insert ON referral_conversions;
DROP POLICY IF EXISTS referral_conversions_update ON referral_conversions;
DROP POLICY IF EXISTS referral_conversions_delete ON referral_conversions;
CREATE POLICY referral_conversions_service ON referral_conversions FOR ALL TO wedsync_user
    USING ((SELECT app.is_service())) WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referral_conversions_tenant_select ON referral_conversions FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));

DROP POLICY IF EXISTS referral_rewards_select ON referral_rewards;
DROP POLICY IF EXISTS referral_rewards_insert ON referral_rewards;
DROP POLICY IF EXISTS referral_rewards_update ON referral_rewards;
DROP POLICY IF EXISTS referral_rewards_delete ON referral_rewards;
CREATE POLICY referral_rewards_service ON referral_rewards FOR ALL TO wedsync_user
    USING ((SELECT app.is_service())) WITH CHECK ((SELECT app.is_service()));
CREATE POLICY referral_rewards_tenant_select ON referral_rewards FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
