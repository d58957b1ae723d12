-- WS-159 Enhanced task tracking: couples see each wedding task move, who moved it and when,
-- and a photo proving the work was done where the vendor promised one.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS wedding_tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    wedding_id uuid NOT NULL,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description text CHECK (description IS NULL OR length(description) <= 4000),
    category text NOT NULL DEFAULT 'general' CHECK (category IN (
        'general', 'venue', 'catering', 'photography', 'music', 'flowers', 'attire',
        'stationery', 'transport', 'legal', 'other')),
    priority text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    status text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'blocked', 'done', 'cancelled')),
    progress_percent smallint NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
    -- Written in the same UPDATE as a progress change; the history trigger copies it.
    last_progress_note text CHECK (last_progress_note IS NULL OR length(last_progress_note) <= 1000),
    requires_photo_evidence boolean NOT NULL DEFAULT false,
    assigned_to uuid,
    due_at timestamptz,
    completed_at timestamptz,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_wedding_tasks_done_is_complete CHECK (
        (status = 'done') = (completed_at IS NOT NULL)
        AND (status <> 'done' OR progress_percent = 100)
    ),
    CONSTRAINT fk_wedding_tasks_wedding FOREIGN KEY (wedding_id, organization_id)
        REFERENCES weddings (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT uq_wedding_tasks_id_organization_id UNIQUE (id, organization_id)
);

-- Append-only: rows come from the trigger on wedding_tasks, never from the API.
CREATE TABLE IF NOT EXISTS task_progress_history (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    task_id uuid NOT NULL,
    progress_percent smallint NOT NULL CHECK (progress_percent BETWEEN 0 AND 100),
    previous_percent smallint CHECK (previous_percent BETWEEN 0 AND 100),
    status text NOT NULL CHECK (status IN ('todo', 'in_progress', 'blocked', 'done', 'cancelled')),
    previous_status text CHECK (previous_status IN ('todo', 'in_progress', 'blocked', 'done', 'cancelled')),
    note text CHECK (note IS NULL OR length(note) <= 1000),
    recorded_by uuid,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_task_progress_history_task FOREIGN KEY (task_id, organization_id)
        REFERENCES wedding_tasks (id, organization_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS task_photo_evidence (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    task_id uuid NOT NULL,
    -- Object-storage key; the bytes live in blob storage, not in the database.
    storage_path text NOT NULL CHECK (length(storage_path) BETWEEN 1 AND 1024 AND position('..' IN storage_path) = 0),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/heic')),
    file_size_bytes bigint NOT NULL CHECK (file_size_bytes BETWEEN 1 AND 26214400),
    caption text CHECK (caption IS NULL OR length(caption) <= 500),
    taken_at timestamptz,
    uploaded_by uuid,
    verification_status text NOT NULL DEFAULT 'pending' CHECK (verification_status IN ('pending', 'approved', 'rejected')),
    verified_by uuid,
    verified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_task_photo_evidence_verified CHECK ((verification_status = 'pending') = (verified_at IS NULL)),
    CONSTRAINT fk_task_photo_evidence_task FOREIGN KEY (task_id, organization_id)
        REFERENCES wedding_tasks (id, organization_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS ix_wedding_tasks_organization_id_status ON wedding_tasks (organization_id, status);
CREATE INDEX IF NOT EXISTS ix_wedding_tasks_wedding_id_organization_id ON wedding_tasks (wedding_id, organization_id);
-- "My tasks" and "overdue" lists.
CREATE INDEX IF NOT EXISTS ix_wedding_tasks_assigned_to_due_at ON wedding_tasks (assigned_to, due_at)
    WHERE status NOT IN ('done', 'cancelled');

CREATE INDEX IF NOT EXISTS ix_task_progress_history_organization_id_recorded_at
    ON task_progress_history (organization_id, recorded_at);
CREATE INDEX IF NOT EXISTS ix_task_progress_history_task_id_recorded_at ON task_progress_history (task_id, recorded_at);

-- Unique as well: one storage object is one piece of evidence.
CREATE UNIQUE INDEX IF NOT EXISTS ix_task_photo_evidence_organization_id_storage_path
    ON task_photo_evidence (organization_id, storage_path);
CREATE INDEX IF NOT EXISTS ix_task_photo_evidence_task_id_organization_id ON task_photo_evidence (task_id, organization_id);

DROP TRIGGER IF EXISTS trg_wedding_tasks_updated_at ON wedding_tasks;
CREATE TRIGGER trg_wedding_tasks_updated_at BEFORE UPDATE ON wedding_tasks
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_task_progress_history_updated_at ON task_progress_history;
CREATE TRIGGER trg_task_progress_history_updated_at BEFORE UPDATE ON task_progress_history
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_task_photo_evidence_updated_at ON task_photo_evidence;
CREATE TRIGGER trg_task_photo_evidence_updated_at BEFORE UPDATE ON task_photo_evidence
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- Completion is derived in one place so "done" always means 100 % with a completion time, and a
-- task that promised photo evidence can't be closed without some that wasn't rejected.
CREATE OR REPLACE FUNCTION wedding_tasks_enforce_completion() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    -- A note belongs to the change it was written with: a progress change that doesn't set a
    -- new note must not repeat the previous one in the history.
    IF TG_OP = 'UPDATE'
       AND NEW.last_progress_note IS NOT DISTINCT FROM OLD.last_progress_note
       AND (NEW.progress_percent IS DISTINCT FROM OLD.progress_percent OR NEW.status IS DISTINCT FROM OLD.status) THEN
        NEW.last_progress_note := NULL;
    END IF;

    -- Reaching 100 % is finishing, so it goes through the same evidence rule as "done". Only the
    -- move to 100 counts, so a done task can be reopened without lowering its percentage.
    IF NEW.progress_percent = 100 AND NEW.status IN ('todo', 'in_progress')
       AND (TG_OP = 'INSERT' OR OLD.progress_percent <> 100) THEN
        NEW.status := 'done';
    ELSIF NEW.progress_percent > 0 AND NEW.status = 'todo' THEN
        NEW.status := 'in_progress';
    END IF;

    IF NEW.status <> 'done' THEN
        NEW.completed_at := NULL;
        RETURN NEW;
    END IF;

    NEW.progress_percent := 100;
    NEW.completed_at := coalesce(NEW.completed_at, now());
    IF NEW.requires_photo_evidence AND NOT EXISTS (
        SELECT 1 FROM task_photo_evidence e
        WHERE e.task_id = NEW.id
          AND e.organization_id = NEW.organization_id
          AND e.verification_status <> 'rejected'
    ) THEN
        RAISE EXCEPTION 'task % requires photo evidence before it can be done', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

-- SECURITY DEFINER, deliberately: the history is an audit trail, so the request role may read it
-- but not write it; only this trigger writes, using the organization of a task row that has
-- already passed the caller's RLS check.
CREATE OR REPLACE FUNCTION wedding_tasks_record_progress() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.progress_percent IS DISTINCT FROM OLD.progress_percent
       OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO public.task_progress_history
            (organization_id, task_id, progress_percent, previous_percent, status, previous_status, note, recorded_by)
        VALUES (
            NEW.organization_id, NEW.id, NEW.progress_percent,
            CASE WHEN TG_OP = 'UPDATE' THEN OLD.progress_percent END,
            NEW.status,
            CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
            NEW.last_progress_note,
            (SELECT app.current_user_id())
        );
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS trg_wedding_tasks_enforce_completion ON wedding_tasks;
CREATE TRIGGER trg_wedding_tasks_enforce_completion BEFORE INSERT OR UPDATE ON wedding_tasks
    FOR EACH ROW EXECUTE FUNCTION wedding_tasks_enforce_completion();
DROP TRIGGER IF EXISTS trg_wedding_tasks_record_progress ON wedding_tasks;
CREATE TRIGGER trg_wedding_tasks_record_progress AFTER INSERT OR UPDATE ON wedding_tasks
    FOR EACH ROW EXECUTE FUNCTION wedding_tasks_record_progress();

-- Per-wedding progress for the couple's dashboard; security_invoker so the caller's RLS applies.
CREATE OR REPLACE VIEW wedding_task_progress WITH (security_invoker = true) AS
SELECT t.organization_id,
       t.wedding_id,
       count(*) FILTER (WHERE t.status <> 'cancelled') AS total_tasks,
       count(*) FILTER (WHERE t.status = 'done') AS done_tasks,
       count(*) FILTER (WHERE t.status NOT IN ('done', 'cancelled') AND t.due_at < now()) AS overdue_tasks,
       coalesce(round(avg(t.progress_percent) FILTER (WHERE t.status <> 'cancelled')), 0)::integer AS average_progress_percent,
       max(t.updated_at) AS last_activity_at
FROM wedding_tasks t
GROUP BY t.organization_id, t.wedding_id;

ALTER TABLE wedding_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_progress_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_photo_evidence ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS wedding_tasks_tenant_isolation ON wedding_tasks;
CREATE POLICY wedding_tasks_tenant_isolation ON wedding_tasks FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS task_progress_history_tenant_isolation ON task_progress_history;
CREATE POLICY task_progress_history_tenant_isolation ON task_progress_history FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS task_photo_evidence_tenant_isolation ON task_photo_evidence;
CREATE POLICY task_photo_evidence_tenant_isolation ON task_photo_evidence FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

GRANT SELECT, INSERT, UPDATE, DELETE ON wedding_tasks TO wedsync_user;
GRANT SELECT ON task_progress_history TO wedsync_user;
GRANT SELECT, INSERT, UPDATE, DELETE ON task_photo_evidence TO wedsync_user;
GRANT SELECT ON wedding_task_progress TO wedsync_user;

-- Trigger functions are never called directly.
REVOKE EXECUTE ON FUNCTION wedding_tasks_enforce_completion() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION wedding_tasks_record_progress() FROM PUBLIC;
