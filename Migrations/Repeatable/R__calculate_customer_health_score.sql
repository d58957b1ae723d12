-- Repeatable (Migrations/Repeatable/): calculate_customer_health_score(uuid, date), stated once. up runs this
-- file again, after every versioned script, whenever its text changes: change it here, never in a new
-- versioned script (a test holds that). The versioned scripts that defined or altered it (20250828100003,
-- 20250901300002) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
