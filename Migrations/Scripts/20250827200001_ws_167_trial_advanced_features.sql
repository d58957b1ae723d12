-- WS-167 Trial, advanced: the milestones that predict conversion, the value a vendor got from the
-- trial (ROI), and bounded extensions for vendors who need a little longer.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS trial_milestones (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    trial_id uuid NOT NULL,
    milestone_type text NOT NULL CHECK (milestone_type IN (
        'first_wedding_added', 'guest_list_imported', 'first_photo_group_created', 'first_task_completed',
        'first_budget_export', 'first_review_request_sent', 'team_member_invited', 'integration_connected')),
    achieved_at timestamptz NOT NULL DEFAULT now(),
    -- How strongly this milestone predicts conversion; weights the conversion score below.
    value_impact smallint NOT NULL DEFAULT 5 CHECK (value_impact BETWEEN 1 AND 10),
    achieved_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_trial_milestones_trial FOREIGN KEY (trial_id, organization_id)
        REFERENCES trials (id, organization_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS trial_extensions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    trial_id uuid NOT NULL,
    -- At most two extensions per trial, held by the unique index below whatever the concurrency.
    extension_number smallint NOT NULL CHECK (extension_number BETWEEN 1 AND 2),
    days_added smallint NOT NULL CHECK (days_added BETWEEN 1 AND 14),
    reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    previous_ends_at timestamptz NOT NULL,
    new_ends_at timestamptz NOT NULL,
    granted_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_trial_extensions_moves_forward CHECK (new_ends_at > previous_ends_at),
    CONSTRAINT fk_trial_extensions_trial FOREIGN KEY (trial_id, organization_id)
        REFERENCES trials (id, organization_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS ix_trial_milestones_organization_id ON trial_milestones (organization_id);
-- Unique as well: a milestone is achieved once per trial.
CREATE UNIQUE INDEX IF NOT EXISTS ix_trial_milestones_trial_id_milestone_type_organization_id
    ON trial_milestones (trial_id, milestone_type, organization_id);

CREATE INDEX IF NOT EXISTS ix_trial_extensions_organization_id ON trial_extensions (organization_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_trial_extensions_trial_id_extension_number_organization_id
    ON trial_extensions (trial_id, extension_number, organization_id);

DROP TRIGGER IF EXISTS trg_trial_milestones_updated_at ON trial_milestones;
CREATE TRIGGER trg_trial_milestones_updated_at BEFORE UPDATE ON trial_milestones
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_trial_extensions_updated_at ON trial_extensions;
CREATE TRIGGER trg_trial_extensions_updated_at BEFORE UPDATE ON trial_extensions
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- Extends an active trial and moves its not-yet-sent end-of-trial e-mails with it.
-- Extending changes what the organization will be billed and when, so only its admins may.
CREATE OR REPLACE FUNCTION extend_trial(p_trial_id uuid, p_days integer, p_reason text) RETURNS trial_extensions
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    t trials;
    next_number integer;
    result trial_extensions;
BEGIN
    IF NOT (SELECT app.is_org_admin()) THEN
        RAISE EXCEPTION 'only organization owners and admins can extend a trial' USING ERRCODE = 'insufficient_privilege';
    END IF;

    -- The row lock serializes extensions of one trial, so the count below is exact.
    SELECT * INTO t FROM trials WHERE id = p_trial_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'trial % not found', p_trial_id USING ERRCODE = 'no_data_found';
    END IF;
    IF t.status <> 'active' THEN
        RAISE EXCEPTION 'trial % is %, only active trials can be extended', p_trial_id, t.status
            USING ERRCODE = 'check_violation';
    END IF;

    SELECT count(*) + 1 INTO next_number
    FROM trial_extensions x
    WHERE x.trial_id = t.id AND x.organization_id = t.organization_id;
    IF next_number > 2 THEN
        RAISE EXCEPTION 'trial % has already been extended twice', p_trial_id USING ERRCODE = 'check_violation';
    END IF;

    INSERT INTO trial_extensions (organization_id, trial_id, extension_number, days_added, reason,
                                  previous_ends_at, new_ends_at, granted_by)
    VALUES (t.organization_id, t.id, next_number, p_days, p_reason,
            t.ends_at, t.ends_at + make_interval(days => p_days), (SELECT app.current_user_id()))
    RETURNING * INTO result;

    UPDATE trials SET ends_at = result.new_ends_at WHERE id = t.id AND organization_id = t.organization_id;

    UPDATE trial_email_schedule s
    SET scheduled_for = s.scheduled_for + make_interval(days => p_days)
    WHERE s.trial_id = t.id
      AND s.organization_id = t.organization_id
      AND s.status = 'scheduled'
      AND s.template_key IN ('ending_soon', 'final_day', 'trial_expired');
    RETURN result;
END
$$;

-- The trial's value in the vendor's own terms: time saved at their hourly value against the
-- plan's monthly price, plus a 0..100 conversion score from weighted milestones and active days
-- (a vendor active on 10 of 14 days with the key milestones is very likely to convert).
CREATE OR REPLACE FUNCTION trial_roi(p_trial_id uuid)
RETURNS TABLE (
    trial_id uuid,
    minutes_saved bigint,
    estimated_value_cents bigint,
    plan_price_cents integer,
    currency char(3),
    roi_ratio numeric,
    milestones_achieved integer,
    active_days integer,
    conversion_score integer
)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    WITH t AS (
        SELECT * FROM trials WHERE id = p_trial_id
    ), activity AS (
        SELECT coalesce(sum(a.minutes_saved), 0)::bigint AS minutes_saved,
               count(DISTINCT date_trunc('day', a.occurred_at))::integer AS active_days
        FROM trial_activities a
        JOIN t ON a.trial_id = t.id AND a.organization_id = t.organization_id
    ), milestones AS (
        SELECT count(*)::integer AS achieved, coalesce(sum(m.value_impact), 0)::integer AS impact
        FROM trial_milestones m
        JOIN t ON m.trial_id = t.id AND m.organization_id = t.organization_id
    )
    SELECT t.id,
           activity.minutes_saved,
           (activity.minutes_saved * t.hourly_value_cents / 60)::bigint,
           t.plan_price_cents,
           t.currency,
           CASE WHEN t.plan_price_cents > 0
                THEN round((activity.minutes_saved * t.hourly_value_cents / 60.0) / t.plan_price_cents, 2)
           END,
           milestones.achieved,
           activity.active_days,
           least(100, milestones.impact * 3 + activity.active_days * 3)::integer
    FROM t, activity, milestones
$$;

ALTER TABLE trial_milestones ENABLE ROW LEVEL SECURITY;
ALTER TABLE trial_extensions ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS trial_milestones_tenant_isolation ON trial_milestones;
CREATE POLICY trial_milestones_tenant_isolation ON trial_milestones FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS trial_extensions_tenant_isolation ON trial_extensions;
CREATE POLICY trial_extensions_tenant_isolation ON trial_extensions FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

GRANT SELECT, INSERT ON trial_milestones TO wedsync_user;
-- Extensions are written only through extend_trial, which runs as the caller.
GRANT SELECT, INSERT ON trial_extensions TO wedsync_user;

REVOKE EXECUTE ON FUNCTION extend_trial(uuid, integer, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION trial_roi(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION extend_trial(uuid, integer, text) TO wedsync_user;
GRANT EXECUTE ON FUNCTION trial_roi(uuid) TO wedsync_user;
