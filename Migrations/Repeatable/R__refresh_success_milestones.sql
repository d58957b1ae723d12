-- Repeatable (Migrations/Repeatable/): refresh_success_milestones(uuid), stated once. up runs this file
-- again, after every versioned script, whenever its text changes: change it here, never in a new versioned
-- script (a test holds that). The versioned scripts that defined or altered it (20250828100003,
-- 20250901300002) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
