-- Issue 15 (advisor check multiple_permissive_policies), tables outside the referral system:
-- customer_health_scores and success_milestones (WS-168) had a tenant ALL policy and a platform
-- admin SELECT policy, support_interactions (WS-168) a tenant ALL and a platform admin ALL policy,
-- user_profiles (foundation) a same-organization SELECT policy and an org-admin ALL policy. They
-- become one permissive policy per command with the same reach (see 20250901200002 for the rules):
--   * SELECT ORs the former SELECT and ALL policies' USING;
--   * INSERT, UPDATE and DELETE keep the former ALL policy's expressions.
-- user_profiles SELECT: "same organization" OR "same organization AND org admin" is "same
-- organization" (NULL either way when there is no organization), so it stays what it was.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

DROP POLICY IF EXISTS customer_health_scores_tenant_isolation ON customer_health_scores;
DROP POLICY IF EXISTS customer_health_scores_platform_admin_read ON customer_health_scores;
CREATE POLICY customer_health_scores_select ON customer_health_scores FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_platform_admin()));
CREATE POLICY customer_health_scores_insert ON customer_health_scores FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY customer_health_scores_update ON customer_health_scores FOR UPDATE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY customer_health_scores_delete ON customer_health_scores FOR DELETE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));

DROP POLICY IF EXISTS success_milestones_tenant_isolation ON success_milestones;
DROP POLICY IF EXISTS success_milestones_platform_admin_read ON success_milestones;
CREATE POLICY success_milestones_select ON success_milestones FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_platform_admin()));
CREATE POLICY success_milestones_insert ON success_milestones FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY success_milestones_update ON success_milestones FOR UPDATE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY success_milestones_delete ON success_milestones FOR DELETE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));

-- Both former policies were FOR ALL, so one FOR ALL policy ORing them covers every command.
DROP POLICY IF EXISTS support_interactions_tenant_isolation ON support_interactions;
DROP POLICY IF EXISTS support_interactions_platform_admin ON support_interactions;
CREATE POLICY support_interactions_tenant_or_platform_admin ON support_interactions FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_platform_admin()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) OR (SELECT app.is_platform_admin()));

DROP POLICY IF EXISTS user_profiles_select_same_org ON user_profiles;
DROP POLICY IF EXISTS user_profiles_write_by_org_admin ON user_profiles;
CREATE POLICY user_profiles_select ON user_profiles FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));
CREATE POLICY user_profiles_insert ON user_profiles FOR INSERT TO wedsync_user
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));
CREATE POLICY user_profiles_update ON user_profiles FOR UPDATE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));
CREATE POLICY user_profiles_delete ON user_profiles FOR DELETE TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()) AND (SELECT app.is_org_admin()));
