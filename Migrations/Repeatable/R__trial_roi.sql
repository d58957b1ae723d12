-- Repeatable (Migrations/Repeatable/): trial_roi(uuid), stated once. up runs this file again, after every
-- versioned script, whenever its text changes: change it here, never in a new versioned script (a test holds
-- that). The versioned scripts that defined or altered it (20250827200001, 20250901300002) stay: they are
-- journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
               count(DISTINCT date_trunc('day', a.occurred_at, 'UTC'))::integer AS active_days
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
