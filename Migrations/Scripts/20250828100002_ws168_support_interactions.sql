-- WS-168 Support interactions: every conversation between a customer and WedSync's team, with
-- its outcome and mood, because unresolved urgent issues and unhappy customers predict churn.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS support_interactions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- The customer's user and WedSync's agent: identity-provider subjects, no foreign key.
    customer_user_id uuid,
    agent_user_id uuid,
    channel text NOT NULL CHECK (channel IN ('email', 'chat', 'phone', 'video', 'in_app')),
    interaction_type text NOT NULL CHECK (interaction_type IN (
        'onboarding', 'question', 'issue', 'bug_report', 'feature_request', 'check_in', 'escalation', 'renewal')),
    subject text NOT NULL CHECK (length(btrim(subject)) BETWEEN 1 AND 200),
    summary text CHECK (summary IS NULL OR length(summary) <= 5000),
    priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    sentiment text CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    satisfaction_rating smallint CHECK (satisfaction_rating BETWEEN 1 AND 5),
    opened_at timestamptz NOT NULL DEFAULT now(),
    first_response_at timestamptz,
    resolved_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_support_interactions_response_order CHECK (first_response_at IS NULL OR first_response_at >= opened_at),
    CONSTRAINT ck_support_interactions_resolution CHECK (
        (status IN ('resolved', 'closed')) = (resolved_at IS NOT NULL)
        AND (resolved_at IS NULL OR resolved_at >= opened_at)
    )
);

CREATE INDEX IF NOT EXISTS ix_support_interactions_organization_id_opened_at
    ON support_interactions (organization_id, opened_at);
-- The agents' open queue across all customers.
CREATE INDEX IF NOT EXISTS ix_support_interactions_priority_opened_at
    ON support_interactions (priority, opened_at) WHERE status IN ('open', 'pending');
CREATE INDEX IF NOT EXISTS ix_support_interactions_agent_user_id ON support_interactions (agent_user_id)
    WHERE status IN ('open', 'pending');

DROP TRIGGER IF EXISTS trg_support_interactions_updated_at ON support_interactions;
CREATE TRIGGER trg_support_interactions_updated_at BEFORE UPDATE ON support_interactions
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE support_interactions ENABLE ROW LEVEL SECURITY;

-- Customers open and follow their own tickets.
DROP POLICY IF EXISTS support_interactions_tenant_isolation ON support_interactions;
CREATE POLICY support_interactions_tenant_isolation ON support_interactions FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
-- WedSync's agents work every customer's tickets.
DROP POLICY IF EXISTS support_interactions_platform_admin ON support_interactions;
CREATE POLICY support_interactions_platform_admin ON support_interactions FOR ALL TO wedsync_user
    USING ((SELECT app.is_platform_admin()))
    WITH CHECK ((SELECT app.is_platform_admin()));

-- No DELETE: the history is what the health score and account reviews are built on.
GRANT SELECT, INSERT, UPDATE ON support_interactions TO wedsync_user;
