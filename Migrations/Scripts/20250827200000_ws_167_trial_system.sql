-- WS-167 Trial system: a vendor's free trial, what they did in it, which features the trial
-- unlocks (and how often), and the e-mails that walk them through it.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS trials (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    plan_tier text NOT NULL DEFAULT 'professional' CHECK (plan_tier IN ('starter', 'professional', 'scale', 'enterprise')),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'converted', 'expired', 'cancelled')),
    business_type text NOT NULL DEFAULT 'photographer'
        CHECK (business_type IN ('photographer', 'venue', 'planner', 'florist', 'caterer', 'other')),
    started_at timestamptz NOT NULL DEFAULT now(),
    ends_at timestamptz NOT NULL,
    converted_at timestamptz,
    cancelled_at timestamptz,
    -- The monthly price the trial converts to, and the vendor's own value of an hour, for ROI.
    plan_price_cents integer NOT NULL CHECK (plan_price_cents >= 0),
    hourly_value_cents integer NOT NULL DEFAULT 5000 CHECK (hourly_value_cents BETWEEN 0 AND 1000000),
    currency char(3) NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_trials_period CHECK (ends_at > started_at AND ends_at <= started_at + interval '90 days'),
    CONSTRAINT ck_trials_converted CHECK ((status = 'converted') = (converted_at IS NOT NULL)),
    CONSTRAINT ck_trials_cancelled CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CONSTRAINT uq_trials_id_organization_id UNIQUE (id, organization_id)
);

CREATE TABLE IF NOT EXISTS trial_activities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    trial_id uuid NOT NULL,
    user_id uuid,
    activity_type text NOT NULL CHECK (activity_type IN (
        'login', 'feature_used', 'milestone', 'invite_sent', 'import', 'export', 'support_contact')),
    feature_key text CHECK (feature_key IS NULL OR feature_key ~ '^[a-z][a-z0-9_]{1,62}$'),
    -- The time the action saved the vendor, by the product's own estimate; feeds the ROI.
    minutes_saved integer NOT NULL DEFAULT 0 CHECK (minutes_saved BETWEEN 0 AND 1440),
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_trial_activities_feature CHECK (activity_type <> 'feature_used' OR feature_key IS NOT NULL),
    CONSTRAINT fk_trial_activities_trial FOREIGN KEY (trial_id, organization_id)
        REFERENCES trials (id, organization_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS trial_feature_gates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    trial_id uuid NOT NULL,
    feature_key text NOT NULL CHECK (feature_key ~ '^[a-z][a-z0-9_]{1,62}$'),
    is_enabled boolean NOT NULL DEFAULT true,
    -- NULL means unlimited within the trial.
    usage_limit integer CHECK (usage_limit IS NULL OR usage_limit >= 0),
    usage_count integer NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_trial_feature_gates_within_limit CHECK (usage_limit IS NULL OR usage_count <= usage_limit),
    CONSTRAINT fk_trial_feature_gates_trial FOREIGN KEY (trial_id, organization_id)
        REFERENCES trials (id, organization_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS trial_email_schedule (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    trial_id uuid NOT NULL,
    template_key text NOT NULL CHECK (template_key IN (
        'welcome', 'getting_started', 'midpoint_check_in', 'ending_soon', 'final_day',
        'trial_expired', 'conversion_thanks')),
    scheduled_for timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'skipped', 'failed', 'cancelled')),
    -- The sender resolves the address at send time; people change e-mail during a trial.
    recipient_user_id uuid,
    attempts smallint NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 10),
    sent_at timestamptz,
    last_error text CHECK (last_error IS NULL OR length(last_error) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_trial_email_schedule_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CONSTRAINT fk_trial_email_schedule_trial FOREIGN KEY (trial_id, organization_id)
        REFERENCES trials (id, organization_id) ON DELETE CASCADE
);

-- Unique as well: an organization gets one trial; more time is an extension, not a new trial.
CREATE UNIQUE INDEX IF NOT EXISTS ix_trials_organization_id ON trials (organization_id);
-- The expiry job looks for active trials past their end.
CREATE INDEX IF NOT EXISTS ix_trials_ends_at ON trials (ends_at) WHERE status = 'active';

CREATE INDEX IF NOT EXISTS ix_trial_activities_organization_id_occurred_at ON trial_activities (organization_id, occurred_at);
CREATE INDEX IF NOT EXISTS ix_trial_activities_trial_id_occurred_at ON trial_activities (trial_id, occurred_at);

CREATE INDEX IF NOT EXISTS ix_trial_feature_gates_organization_id ON trial_feature_gates (organization_id);
-- Unique as well: one gate per feature per trial; the gating lookup reads it.
CREATE UNIQUE INDEX IF NOT EXISTS ix_trial_feature_gates_trial_id_feature_key_organization_id
    ON trial_feature_gates (trial_id, feature_key, organization_id);

CREATE INDEX IF NOT EXISTS ix_trial_email_schedule_organization_id ON trial_email_schedule (organization_id);
-- Unique as well: each template goes out at most once per trial, however often scheduling runs.
CREATE UNIQUE INDEX IF NOT EXISTS ix_trial_email_schedule_trial_id_template_key_organization_id
    ON trial_email_schedule (trial_id, template_key, organization_id);
CREATE INDEX IF NOT EXISTS ix_trial_email_schedule_scheduled_for
    ON trial_email_schedule (scheduled_for) WHERE status = 'scheduled';

DROP TRIGGER IF EXISTS trg_trials_updated_at ON trials;
CREATE TRIGGER trg_trials_updated_at BEFORE UPDATE ON trials
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_trial_activities_updated_at ON trial_activities;
CREATE TRIGGER trg_trial_activities_updated_at BEFORE UPDATE ON trial_activities
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_trial_feature_gates_updated_at ON trial_feature_gates;
CREATE TRIGGER trg_trial_feature_gates_updated_at BEFORE UPDATE ON trial_feature_gates
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_trial_email_schedule_updated_at ON trial_email_schedule;
CREATE TRIGGER trg_trial_email_schedule_updated_at BEFORE UPDATE ON trial_email_schedule
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- What each plan's trial unlocks, kept in code review beside the plan definitions rather than
-- in a table every tenant would share. NULL limit = unlimited during the trial.
CREATE OR REPLACE FUNCTION trial_default_features(p_plan_tier text)
RETURNS TABLE (feature_key text, usage_limit integer)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public
AS $$
    SELECT d.feature_key, d.usage_limit
    FROM (VALUES
        ('starter',      'client_management', NULL::integer),
        ('starter',      'photo_groups',      NULL),
        ('starter',      'task_tracking',     NULL),
        ('starter',      'budget_exports',    3),
        ('starter',      'review_campaigns',  1),
        ('professional', 'client_management', NULL),
        ('professional', 'photo_groups',      NULL),
        ('professional', 'task_tracking',     NULL),
        ('professional', 'budget_exports',    10),
        ('professional', 'review_campaigns',  NULL),
        ('professional', 'sms_messaging',     50),
        ('professional', 'ai_assistant',      10),
        ('scale',        'client_management', NULL),
        ('scale',        'photo_groups',      NULL),
        ('scale',        'task_tracking',     NULL),
        ('scale',        'budget_exports',    NULL),
        ('scale',        'review_campaigns',  NULL),
        ('scale',        'sms_messaging',     200),
        ('scale',        'ai_assistant',      50),
        ('scale',        'api_access',        NULL),
        ('enterprise',   'client_management', NULL),
        ('enterprise',   'photo_groups',      NULL),
        ('enterprise',   'task_tracking',     NULL),
        ('enterprise',   'budget_exports',    NULL),
        ('enterprise',   'review_campaigns',  NULL),
        ('enterprise',   'sms_messaging',     NULL),
        ('enterprise',   'ai_assistant',      NULL),
        ('enterprise',   'api_access',        NULL),
        ('enterprise',   'custom_domain',     NULL)
    ) AS d (plan_tier, feature_key, usage_limit)
    WHERE d.plan_tier = p_plan_tier
$$;

-- A new trial gets its gates and the rest of its e-mail journey in the same transaction.
-- E-mails already in the past (a back-dated trial) are not scheduled, so nothing stale is sent.
CREATE OR REPLACE FUNCTION trials_after_insert() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    INSERT INTO trial_feature_gates (organization_id, trial_id, feature_key, usage_limit)
    SELECT NEW.organization_id, NEW.id, f.feature_key, f.usage_limit
    FROM trial_default_features(NEW.plan_tier) f
    ON CONFLICT (trial_id, feature_key, organization_id) DO NOTHING;

    IF NEW.status = 'active' THEN
        INSERT INTO trial_email_schedule (organization_id, trial_id, template_key, scheduled_for, recipient_user_id)
        SELECT NEW.organization_id, NEW.id, s.template_key, s.scheduled_for, NEW.created_by
        FROM (VALUES
            ('welcome',           NEW.started_at),
            ('getting_started',   NEW.started_at + interval '2 days'),
            ('midpoint_check_in', NEW.started_at + (NEW.ends_at - NEW.started_at) / 2),
            ('ending_soon',       NEW.ends_at - interval '3 days'),
            ('final_day',         NEW.ends_at - interval '1 day'),
            ('trial_expired',     NEW.ends_at)
        ) AS s (template_key, scheduled_for)
        WHERE s.scheduled_for >= now() - interval '1 hour'
        ON CONFLICT (trial_id, template_key, organization_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

-- Leaving the active state stops the trial journey; a conversion thanks the customer instead.
-- The expired e-mail stays when the trial simply ran out, because that is when it is due.
CREATE OR REPLACE FUNCTION trials_after_status_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF OLD.status = 'active' AND NEW.status <> 'active' THEN
        UPDATE trial_email_schedule s
        SET status = 'cancelled'
        WHERE s.trial_id = NEW.id
          AND s.organization_id = NEW.organization_id
          AND s.status = 'scheduled'
          AND NOT (NEW.status = 'expired' AND s.template_key = 'trial_expired');

        IF NEW.status = 'converted' THEN
            INSERT INTO trial_email_schedule (organization_id, trial_id, template_key, scheduled_for, recipient_user_id)
            VALUES (NEW.organization_id, NEW.id, 'conversion_thanks', now(), NEW.created_by)
            ON CONFLICT (trial_id, template_key, organization_id) DO NOTHING;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS trg_trials_after_insert ON trials;
CREATE TRIGGER trg_trials_after_insert AFTER INSERT ON trials
    FOR EACH ROW EXECUTE FUNCTION trials_after_insert();
DROP TRIGGER IF EXISTS trg_trials_after_status_change ON trials;
CREATE TRIGGER trg_trials_after_status_change AFTER UPDATE OF status ON trials
    FOR EACH ROW EXECUTE FUNCTION trials_after_status_change();

-- May this organization use the feature under its trial right now? Only trials are answered
-- here (false without an active, unexpired trial); paid plans are gated by billing.
-- Runs as the caller, so asking about another tenant answers false.
CREATE OR REPLACE FUNCTION trial_feature_allowed(p_organization_id uuid, p_feature_key text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (
        SELECT 1
        FROM trials t
        JOIN trial_feature_gates g ON g.trial_id = t.id AND g.organization_id = t.organization_id
        WHERE t.organization_id = p_organization_id
          AND t.status = 'active'
          AND now() < t.ends_at
          AND g.feature_key = p_feature_key
          AND g.is_enabled
          AND (g.usage_limit IS NULL OR g.usage_count < g.usage_limit)
    )
$$;

-- Checks and uses one unit of a feature atomically: the row lock of the UPDATE makes concurrent
-- requests queue, so a limit of 3 allows exactly 3 uses. Records the use as trial activity.
CREATE OR REPLACE FUNCTION consume_trial_feature(p_organization_id uuid, p_feature_key text) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    gate_trial_id uuid;
BEGIN
    UPDATE trial_feature_gates g
    SET usage_count = g.usage_count + 1
    FROM trials t
    WHERE t.id = g.trial_id
      AND t.organization_id = g.organization_id
      AND t.organization_id = p_organization_id
      AND t.status = 'active'
      AND now() < t.ends_at
      AND g.feature_key = p_feature_key
      AND g.is_enabled
      AND (g.usage_limit IS NULL OR g.usage_count < g.usage_limit)
    RETURNING g.trial_id INTO gate_trial_id;

    IF gate_trial_id IS NULL THEN
        RETURN false;
    END IF;

    INSERT INTO trial_activities (organization_id, trial_id, user_id, activity_type, feature_key)
    VALUES (p_organization_id, gate_trial_id, (SELECT app.current_user_id()), 'feature_used', p_feature_key);
    RETURN true;
END
$$;

ALTER TABLE trials ENABLE ROW LEVEL SECURITY;
ALTER TABLE trial_activities ENABLE ROW LEVEL SECURITY;
ALTER TABLE trial_feature_gates ENABLE ROW LEVEL SECURITY;
ALTER TABLE trial_email_schedule ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS trials_tenant_isolation ON trials;
CREATE POLICY trials_tenant_isolation ON trials FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS trial_activities_tenant_isolation ON trial_activities;
CREATE POLICY trial_activities_tenant_isolation ON trial_activities FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS trial_feature_gates_tenant_isolation ON trial_feature_gates;
CREATE POLICY trial_feature_gates_tenant_isolation ON trial_feature_gates FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS trial_email_schedule_tenant_isolation ON trial_email_schedule;
CREATE POLICY trial_email_schedule_tenant_isolation ON trial_email_schedule FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

-- No DELETE anywhere: trials and their history are the evidence for conversion analytics.
GRANT SELECT, INSERT, UPDATE ON trials TO wedsync_user;
GRANT SELECT, INSERT ON trial_activities TO wedsync_user;
-- INSERT for the trigger that seeds gates; UPDATE for consume_trial_feature.
GRANT SELECT, INSERT, UPDATE ON trial_feature_gates TO wedsync_user;
-- INSERT and UPDATE for the triggers that schedule and cancel; the sender runs as the owner.
GRANT SELECT, INSERT, UPDATE ON trial_email_schedule TO wedsync_user;

REVOKE EXECUTE ON FUNCTION trials_after_insert() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION trials_after_status_change() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION trial_default_features(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION trial_feature_allowed(uuid, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION consume_trial_feature(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trial_default_features(text) TO wedsync_user;
GRANT EXECUTE ON FUNCTION trial_feature_allowed(uuid, text) TO wedsync_user;
GRANT EXECUTE ON FUNCTION consume_trial_feature(uuid, text) TO wedsync_user;
