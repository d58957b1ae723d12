-- WS-168 Customer health scores: one score per customer organization per day, so the customer
-- success team sees who is thriving, who is slipping, and the trend, before a vendor churns.
-- Scores are derived data: the scoring job (20250828100003) writes them, requests only read them.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS customer_health_scores (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    score_date date NOT NULL DEFAULT current_date,
    overall_score smallint NOT NULL CHECK (overall_score BETWEEN 0 AND 100),
    engagement_score smallint NOT NULL CHECK (engagement_score BETWEEN 0 AND 100),
    adoption_score smallint NOT NULL CHECK (adoption_score BETWEEN 0 AND 100),
    support_score smallint NOT NULL CHECK (support_score BETWEEN 0 AND 100),
    milestone_score smallint NOT NULL CHECK (milestone_score BETWEEN 0 AND 100),
    risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
    trend text NOT NULL DEFAULT 'stable' CHECK (trend IN ('improving', 'stable', 'declining')),
    previous_score smallint CHECK (previous_score BETWEEN 0 AND 100),
    -- The inputs behind the numbers, so an agent can explain a score to the customer.
    factors jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(factors) = 'object'),
    calculated_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Unique as well: one score per organization per day; recalculating the same day overwrites it.
CREATE UNIQUE INDEX IF NOT EXISTS ix_customer_health_scores_organization_id_score_date
    ON customer_health_scores (organization_id, score_date);
-- Platform-wide views of one day ("who is at risk today").
CREATE INDEX IF NOT EXISTS ix_customer_health_scores_score_date_risk_level
    ON customer_health_scores (score_date, risk_level);

DROP TRIGGER IF EXISTS trg_customer_health_scores_updated_at ON customer_health_scores;
CREATE TRIGGER trg_customer_health_scores_updated_at BEFORE UPDATE ON customer_health_scores
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE customer_health_scores ENABLE ROW LEVEL SECURITY;

-- The request role only has SELECT here, so this policy in practice lets a tenant read its own scores.
DROP POLICY IF EXISTS customer_health_scores_tenant_isolation ON customer_health_scores;
CREATE POLICY customer_health_scores_tenant_isolation ON customer_health_scores FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
-- WedSync's customer success team reads every customer's scores.
DROP POLICY IF EXISTS customer_health_scores_platform_admin_read ON customer_health_scores;
CREATE POLICY customer_health_scores_platform_admin_read ON customer_health_scores FOR SELECT TO wedsync_user
    USING ((SELECT app.is_platform_admin()));

GRANT SELECT ON customer_health_scores TO wedsync_user;
