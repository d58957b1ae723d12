-- Issue 16: the platform's days are UTC days, whatever the server's or the session's TimeZone.
-- ::date, current_date and date_trunc('day', ...) on timestamptz use the session's time zone: with
-- the database at Etc/GMT+12, "today" is yesterday for half the day, a score is written under the
-- wrong date and activity lands in the neighbouring day. The functions below are the WS-168 health
-- scoring functions and views, and WS-167's trial_roi (active days), restated with UTC days:
-- (ts AT TIME ZONE 'UTC')::date, date_trunc('day', ts, 'UTC'), and (now() AT TIME ZONE 'UTC')::date
-- for "today". Only the day arithmetic changed; the rest is as in 20250828100003/4 and 20250827200001.
-- (The WS-170 referral functions already used UTC days; the API's analytics SQL is fixed in code,
-- and the referral limits count in UTC windows since 20250901300001.)
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- The date a score is for, when the writer does not say.
ALTER TABLE customer_health_scores ALTER COLUMN score_date SET DEFAULT (now() AT TIME ZONE 'UTC')::date;

CREATE OR REPLACE FUNCTION refresh_success_milestones(p_organization_id uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    target date;
    has_trial boolean;
    changed integer;
BEGIN
    SELECT ((o.created_at AT TIME ZONE 'UTC') + interval '30 days')::date INTO target FROM organizations o WHERE o.id = p_organization_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % not found', p_organization_id USING ERRCODE = 'no_data_found';
    END IF;
    has_trial := EXISTS (SELECT 1 FROM trials t WHERE t.organization_id = p_organization_id);

    WITH evidence (milestone_key, achieved_at, points) AS (
        VALUES
            ('first_wedding_created',
             (SELECT min(w.created_at) FROM weddings w WHERE w.organization_id = p_organization_id), 10),
            ('first_guests_added',
             (SELECT min(g.created_at) FROM wedding_guests g WHERE g.organization_id = p_organization_id), 10),
            ('first_photo_group_scheduled',
             (SELECT min(p.created_at) FROM photo_groups p
              WHERE p.organization_id = p_organization_id AND p.scheduled_start IS NOT NULL), 15),
            ('first_task_completed',
             (SELECT min(t.completed_at) FROM wedding_tasks t WHERE t.organization_id = p_organization_id), 15),
            ('first_budget_export',
             (SELECT min(e.completed_at) FROM budget_exports e WHERE e.organization_id = p_organization_id), 10),
            ('first_review_campaign_launched',
             (SELECT min(c.created_at) FROM review_campaigns c
              WHERE c.organization_id = p_organization_id AND c.status <> 'draft'), 10),
            ('first_review_collected',
             (SELECT min(r.submitted_at) FROM collected_reviews r WHERE r.organization_id = p_organization_id), 15),
            ('trial_converted',
             (SELECT min(t.converted_at) FROM trials t WHERE t.organization_id = p_organization_id), 15)
    ), changed_rows AS (
        INSERT INTO success_milestones AS m (organization_id, milestone_key, status, target_date, achieved_at, points)
        SELECT p_organization_id, e.milestone_key,
               CASE WHEN e.achieved_at IS NOT NULL THEN 'achieved'
                    WHEN target < (now() AT TIME ZONE 'UTC')::date THEN 'missed'
                    ELSE 'pending' END,
               target, e.achieved_at, e.points
        FROM evidence e
        -- A customer who signed up without a trial can't miss converting one.
        WHERE e.milestone_key <> 'trial_converted' OR has_trial
        ON CONFLICT (organization_id, milestone_key) DO UPDATE
            SET status = CASE WHEN EXCLUDED.achieved_at IS NOT NULL THEN 'achieved'
                              WHEN m.target_date < (now() AT TIME ZONE 'UTC')::date THEN 'missed'
                              ELSE 'pending' END,
                achieved_at = EXCLUDED.achieved_at
            WHERE m.status <> 'achieved'
              AND (EXCLUDED.achieved_at IS NOT NULL OR (m.status = 'pending' AND m.target_date < (now() AT TIME ZONE 'UTC')::date))
        RETURNING 1
    )
    SELECT count(*) INTO changed FROM changed_rows;
    RETURN changed;
END
$$;

-- Score = 30 % engagement + 25 % adoption + 20 % support + 25 % milestones, each 0..100:
-- - engagement: distinct active days in the 30 days to the score date; 12 days (about three a
--   week, a busy vendor's rhythm) is full marks;
-- - adoption: share of the five features used in 90 days (guests, photo groups, task tracking,
--   budget exports, review collection);
-- - support: 100 less 25 per open urgent, 10 per open high, 3 per other open ticket and 10 per
--   negative conversation in 90 days, blended 60/40 with satisfaction when customers rated us;
-- - milestones: achieved points over all points.
-- Risk: >= 70 low, >= 50 medium, >= 30 high, else critical. A 5-point move against the last score
-- of the previous 35 days is a trend. Recalculating a day overwrites that day's score.
CREATE OR REPLACE FUNCTION calculate_customer_health_score(p_organization_id uuid, p_score_date date DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS customer_health_scores
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    as_of timestamptz := (p_score_date + 1)::timestamp AT TIME ZONE 'UTC';
    active_days integer;
    features text[];
    open_urgent integer;
    open_high integer;
    open_other integer;
    negative_recent integer;
    csat numeric;
    points_achieved integer;
    points_total integer;
    penalty_score integer;
    engagement integer;
    adoption integer;
    support integer;
    milestone integer;
    overall integer;
    prior smallint;
    result customer_health_scores;
BEGIN
    PERFORM refresh_success_milestones(p_organization_id);

    SELECT count(DISTINCT a.day) INTO active_days
    FROM (
        SELECT date_trunc('day', w.updated_at, 'UTC') AS day FROM weddings w
        WHERE w.organization_id = p_organization_id AND w.updated_at > as_of - interval '30 days' AND w.updated_at <= as_of
        UNION ALL
        SELECT date_trunc('day', g.updated_at, 'UTC') FROM wedding_guests g
        WHERE g.organization_id = p_organization_id AND g.updated_at > as_of - interval '30 days' AND g.updated_at <= as_of
        UNION ALL
        SELECT date_trunc('day', p.updated_at, 'UTC') FROM photo_groups p
        WHERE p.organization_id = p_organization_id AND p.updated_at > as_of - interval '30 days' AND p.updated_at <= as_of
        UNION ALL
        SELECT date_trunc('day', h.recorded_at, 'UTC') FROM task_progress_history h
        WHERE h.organization_id = p_organization_id AND h.recorded_at > as_of - interval '30 days' AND h.recorded_at <= as_of
        UNION ALL
        SELECT date_trunc('day', e.created_at, 'UTC') FROM budget_exports e
        WHERE e.organization_id = p_organization_id AND e.created_at > as_of - interval '30 days' AND e.created_at <= as_of
        UNION ALL
        SELECT date_trunc('day', r.created_at, 'UTC') FROM review_requests r
        WHERE r.organization_id = p_organization_id AND r.created_at > as_of - interval '30 days' AND r.created_at <= as_of
        UNION ALL
        SELECT date_trunc('day', t.occurred_at, 'UTC') FROM trial_activities t
        WHERE t.organization_id = p_organization_id AND t.occurred_at > as_of - interval '30 days' AND t.occurred_at <= as_of
    ) a;

    SELECT array_remove(ARRAY[
        CASE WHEN EXISTS (SELECT 1 FROM wedding_guests g WHERE g.organization_id = p_organization_id
                          AND g.updated_at > as_of - interval '90 days' AND g.updated_at <= as_of) THEN 'guest_management' END,
        CASE WHEN EXISTS (SELECT 1 FROM photo_groups p WHERE p.organization_id = p_organization_id
                          AND p.updated_at > as_of - interval '90 days' AND p.updated_at <= as_of) THEN 'photo_groups' END,
        CASE WHEN EXISTS (SELECT 1 FROM task_progress_history h WHERE h.organization_id = p_organization_id
                          AND h.recorded_at > as_of - interval '90 days' AND h.recorded_at <= as_of) THEN 'task_tracking' END,
        CASE WHEN EXISTS (SELECT 1 FROM budget_exports e WHERE e.organization_id = p_organization_id
                          AND e.created_at > as_of - interval '90 days' AND e.created_at <= as_of) THEN 'budget_exports' END,
        CASE WHEN EXISTS (SELECT 1 FROM review_requests r WHERE r.organization_id = p_organization_id
                          AND r.created_at > as_of - interval '90 days' AND r.created_at <= as_of) THEN 'review_collection' END
    ], NULL) INTO features;

    SELECT count(*) FILTER (WHERE s.status IN ('open', 'pending') AND s.priority = 'urgent'),
           count(*) FILTER (WHERE s.status IN ('open', 'pending') AND s.priority = 'high'),
           count(*) FILTER (WHERE s.status IN ('open', 'pending') AND s.priority IN ('low', 'normal')),
           count(*) FILTER (WHERE s.sentiment = 'negative' AND s.opened_at > as_of - interval '90 days'),
           avg(s.satisfaction_rating) FILTER (WHERE s.opened_at > as_of - interval '90 days')
    INTO open_urgent, open_high, open_other, negative_recent, csat
    FROM support_interactions s
    WHERE s.organization_id = p_organization_id AND s.opened_at <= as_of;

    SELECT coalesce(sum(m.points) FILTER (WHERE m.status = 'achieved'), 0), coalesce(sum(m.points), 0)
    INTO points_achieved, points_total
    FROM success_milestones m
    WHERE m.organization_id = p_organization_id;

    engagement := least(100, active_days * 100 / 12);
    adoption := coalesce(cardinality(features), 0) * 20;
    penalty_score := greatest(0, 100 - 25 * open_urgent - 10 * open_high - 3 * open_other - 10 * negative_recent);
    support := CASE WHEN csat IS NULL THEN penalty_score
                    ELSE round(0.6 * penalty_score + 0.4 * ((csat - 1) / 4 * 100))::integer END;
    milestone := CASE WHEN points_total = 0 THEN 0 ELSE (100 * points_achieved / points_total) END;
    overall := round(0.30 * engagement + 0.25 * adoption + 0.20 * support + 0.25 * milestone)::integer;

    SELECT s.overall_score INTO prior
    FROM customer_health_scores s
    WHERE s.organization_id = p_organization_id
      AND s.score_date < p_score_date
      AND s.score_date >= p_score_date - 35
    ORDER BY s.score_date DESC
    LIMIT 1;

    INSERT INTO customer_health_scores AS c (
        organization_id, score_date, overall_score, engagement_score, adoption_score, support_score,
        milestone_score, risk_level, trend, previous_score, factors, calculated_at)
    VALUES (
        p_organization_id, p_score_date, overall, engagement, adoption, support, milestone,
        CASE WHEN overall >= 70 THEN 'low' WHEN overall >= 50 THEN 'medium' WHEN overall >= 30 THEN 'high' ELSE 'critical' END,
        CASE WHEN prior IS NULL THEN 'stable'
             WHEN overall - prior >= 5 THEN 'improving'
             WHEN overall - prior <= -5 THEN 'declining'
             ELSE 'stable' END,
        prior,
        jsonb_build_object(
            'active_days_30d', active_days,
            'features_used_90d', to_jsonb(coalesce(features, ARRAY[]::text[])),
            'open_urgent', open_urgent,
            'open_high', open_high,
            'open_other', open_other,
            'negative_interactions_90d', negative_recent,
            'satisfaction_90d', round(csat, 2),
            'milestone_points', jsonb_build_object('achieved', points_achieved, 'total', points_total),
            'weights', jsonb_build_object('engagement', 0.30, 'adoption', 0.25, 'support', 0.20, 'milestones', 0.25)),
        now())
    ON CONFLICT (organization_id, score_date) DO UPDATE
        SET overall_score = EXCLUDED.overall_score,
            engagement_score = EXCLUDED.engagement_score,
            adoption_score = EXCLUDED.adoption_score,
            support_score = EXCLUDED.support_score,
            milestone_score = EXCLUDED.milestone_score,
            risk_level = EXCLUDED.risk_level,
            trend = EXCLUDED.trend,
            previous_score = EXCLUDED.previous_score,
            factors = EXCLUDED.factors,
            calculated_at = EXCLUDED.calculated_at
    RETURNING c.* INTO result;
    RETURN result;
END
$$;

-- The nightly job: scores every organization for the day. Returns how many it scored.
CREATE OR REPLACE FUNCTION recalculate_customer_health_scores(p_score_date date DEFAULT (now() AT TIME ZONE 'UTC')::date) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    org_id uuid;
    scored integer := 0;
BEGIN
    FOR org_id IN SELECT o.id FROM organizations o ORDER BY o.id LOOP
        PERFORM calculate_customer_health_score(org_id, p_score_date);
        scored := scored + 1;
    END LOOP;
    RETURN scored;
END
$$;


CREATE OR REPLACE VIEW customer_health_trends WITH (security_invoker = true) AS
SELECT s.organization_id,
       s.score_date,
       s.overall_score,
       s.risk_level,
       s.overall_score - lag(s.overall_score) OVER w AS change_from_previous,
       round(avg(s.overall_score) OVER (w ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 1) AS rolling_average_7_scores
FROM customer_health_scores s
WHERE s.score_date > (now() AT TIME ZONE 'UTC')::date - 90
WINDOW w AS (PARTITION BY s.organization_id ORDER BY s.score_date);

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
