-- WS-168 Customer success dashboard: the views the dashboard reads. All are security_invoker, so
-- the caller's RLS applies: a customer sees its own row, WedSync's success team (platform
-- admins) sees every customer.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE VIEW customer_health_latest WITH (security_invoker = true) AS
SELECT DISTINCT ON (s.organization_id)
       s.organization_id,
       s.score_date,
       s.overall_score,
       s.engagement_score,
       s.adoption_score,
       s.support_score,
       s.milestone_score,
       s.risk_level,
       s.trend,
       s.previous_score,
       s.factors,
       s.calculated_at
FROM customer_health_scores s
ORDER BY s.organization_id, s.score_date DESC;

CREATE OR REPLACE VIEW support_interaction_metrics WITH (security_invoker = true) AS
SELECT s.organization_id,
       count(*) FILTER (WHERE s.status IN ('open', 'pending')) AS open_interactions,
       count(*) FILTER (WHERE s.status IN ('open', 'pending') AND s.priority = 'urgent') AS urgent_open_interactions,
       count(*) FILTER (WHERE s.opened_at > now() - interval '90 days') AS interactions_90d,
       count(*) FILTER (WHERE s.sentiment = 'negative' AND s.opened_at > now() - interval '90 days') AS negative_interactions_90d,
       round(avg(extract(epoch FROM s.first_response_at - s.opened_at) / 60)
             FILTER (WHERE s.opened_at > now() - interval '90 days'), 1) AS avg_first_response_minutes_90d,
       round(avg(extract(epoch FROM s.resolved_at - s.opened_at) / 3600)
             FILTER (WHERE s.opened_at > now() - interval '90 days'), 1) AS avg_resolution_hours_90d,
       round(avg(s.satisfaction_rating) FILTER (WHERE s.opened_at > now() - interval '90 days'), 2) AS avg_satisfaction_90d,
       max(s.opened_at) AS last_interaction_at
FROM support_interactions s
GROUP BY s.organization_id;

-- One row per customer, including customers never scored yet (they need attention too).
CREATE OR REPLACE VIEW customer_success_dashboard WITH (security_invoker = true) AS
SELECT o.id AS organization_id,
       o.name AS organization_name,
       o.created_at AS customer_since,
       h.score_date,
       h.overall_score,
       h.risk_level,
       h.trend,
       h.previous_score,
       coalesce(m.milestones_achieved, 0) AS milestones_achieved,
       coalesce(m.milestones_missed, 0) AS milestones_missed,
       coalesce(m.milestones_total, 0) AS milestones_total,
       coalesce(si.open_interactions, 0) AS open_support_interactions,
       coalesce(si.urgent_open_interactions, 0) AS urgent_support_interactions,
       si.avg_satisfaction_90d,
       si.last_interaction_at,
       t.status AS trial_status,
       t.ends_at AS trial_ends_at
FROM organizations o
LEFT JOIN customer_health_latest h ON h.organization_id = o.id
LEFT JOIN (
    SELECT sm.organization_id,
           count(*) FILTER (WHERE sm.status = 'achieved') AS milestones_achieved,
           count(*) FILTER (WHERE sm.status = 'missed') AS milestones_missed,
           count(*) AS milestones_total
    FROM success_milestones sm
    GROUP BY sm.organization_id
) m ON m.organization_id = o.id
LEFT JOIN support_interaction_metrics si ON si.organization_id = o.id
LEFT JOIN trials t ON t.organization_id = o.id;

-- The success team's work list: worst first, and customers with urgent tickets before the rest.
CREATE OR REPLACE VIEW customer_health_at_risk WITH (security_invoker = true) AS
SELECT d.*
FROM customer_success_dashboard d
WHERE d.risk_level IN ('high', 'critical')
   OR d.urgent_support_interactions > 0
   OR (d.trend = 'declining' AND d.risk_level = 'medium')
ORDER BY d.urgent_support_interactions DESC, d.overall_score NULLS FIRST;

CREATE OR REPLACE VIEW customer_health_trends WITH (security_invoker = true) AS
SELECT s.organization_id,
       s.score_date,
       s.overall_score,
       s.risk_level,
       s.overall_score - lag(s.overall_score) OVER w AS change_from_previous,
       round(avg(s.overall_score) OVER (w ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 1) AS rolling_average_7_scores
FROM customer_health_scores s
WHERE s.score_date > current_date - 90
WINDOW w AS (PARTITION BY s.organization_id ORDER BY s.score_date);

GRANT SELECT ON customer_health_latest TO wedsync_user;
GRANT SELECT ON support_interaction_metrics TO wedsync_user;
GRANT SELECT ON customer_success_dashboard TO wedsync_user;
GRANT SELECT ON customer_health_at_risk TO wedsync_user;
GRANT SELECT ON customer_health_trends TO wedsync_user;
