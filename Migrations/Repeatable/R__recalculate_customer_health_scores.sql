-- Repeatable (Migrations/Repeatable/): recalculate_customer_health_scores(date), stated once. up runs this
-- file again, after every versioned script, whenever its text changes: change it here, never in a new
-- versioned script (a test holds that). The versioned scripts that defined or altered it (20250828100003,
-- 20250901300002) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
