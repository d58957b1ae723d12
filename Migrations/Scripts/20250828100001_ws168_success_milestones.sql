-- WS-168 Success milestones: the steps that show a vendor is getting value (first wedding, first
-- shot list, first review...). Missed milestones are the earliest churn signal we have.
-- Written by refresh_success_milestones (20250828100003) from the product's own data.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS success_milestones (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    milestone_key text NOT NULL CHECK (milestone_key IN (
        'first_wedding_created', 'first_guests_added', 'first_photo_group_scheduled', 'first_task_completed',
        'first_budget_export', 'first_review_campaign_launched', 'first_review_collected', 'trial_converted')),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'achieved', 'missed')),
    -- When we expect it by; past it and still pending, the milestone is missed.
    target_date date,
    achieved_at timestamptz,
    -- Weight in the milestone part of the health score.
    points smallint NOT NULL DEFAULT 10 CHECK (points BETWEEN 0 AND 100),
    notes text CHECK (notes IS NULL OR length(notes) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_success_milestones_achieved CHECK ((status = 'achieved') = (achieved_at IS NOT NULL))
);

-- Unique as well: each milestone once per organization (the refresh upserts on it).
CREATE UNIQUE INDEX IF NOT EXISTS ix_success_milestones_organization_id_milestone_key
    ON success_milestones (organization_id, milestone_key);
-- The refresh looks for pending milestones past their target.
CREATE INDEX IF NOT EXISTS ix_success_milestones_target_date ON success_milestones (target_date) WHERE status = 'pending';

DROP TRIGGER IF EXISTS trg_success_milestones_updated_at ON success_milestones;
CREATE TRIGGER trg_success_milestones_updated_at BEFORE UPDATE ON success_milestones
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE success_milestones ENABLE ROW LEVEL SECURITY;

-- The request role only has SELECT here: a tenant reads its own milestones (onboarding checklist).
DROP POLICY IF EXISTS success_milestones_tenant_isolation ON success_milestones;
CREATE POLICY success_milestones_tenant_isolation ON success_milestones FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS success_milestones_platform_admin_read ON success_milestones;
CREATE POLICY success_milestones_platform_admin_read ON success_milestones FOR SELECT TO wedsync_user
    USING ((SELECT app.is_platform_admin()));

GRANT SELECT ON success_milestones TO wedsync_user;
