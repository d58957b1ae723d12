-- Repeatable (Migrations/Repeatable/): the customer_health_trends view, stated once. up runs this file again,
-- after every versioned script, whenever its text changes: change it here, never in a new versioned script (a
-- test holds that). The versioned scripts that defined or altered it (20250828100004, 20250901300002) stay:
-- they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
