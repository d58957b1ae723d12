-- WS-166 Budget exports: a couple's budget as CSV, PDF or Excel. Rendering is slow, so requests
-- go through a queue that any number of workers drain safely, and files expire because they
-- hold a family's finances.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- What is exported. Created here if no earlier budget feature made it.
CREATE TABLE IF NOT EXISTS budget_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    wedding_id uuid NOT NULL,
    category text NOT NULL CHECK (category IN (
        'venue', 'catering', 'photography', 'videography', 'attire', 'flowers', 'music',
        'stationery', 'transport', 'rings', 'accommodation', 'other')),
    description text NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 300),
    vendor_name text CHECK (vendor_name IS NULL OR length(vendor_name) <= 200),
    planned_cents bigint NOT NULL DEFAULT 0 CHECK (planned_cents >= 0),
    actual_cents bigint NOT NULL DEFAULT 0 CHECK (actual_cents >= 0),
    paid_cents bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    currency char(3) NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),
    due_date date,
    notes text CHECK (notes IS NULL OR length(notes) <= 2000),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_budget_items_wedding FOREIGN KEY (wedding_id, organization_id)
        REFERENCES weddings (id, organization_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS budget_exports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    wedding_id uuid NOT NULL,
    requested_by uuid,
    format text NOT NULL CHECK (format IN ('csv', 'pdf', 'excel')),
    -- e.g. {"categories": ["venue"], "from": "2025-01-01", "include_paid": false}; the worker interprets it.
    filters jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(filters) = 'object'),
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled', 'expired')),
    file_path text CHECK (file_path IS NULL OR (length(file_path) BETWEEN 1 AND 1024 AND position('..' IN file_path) = 0)),
    file_name text CHECK (file_name IS NULL OR length(file_name) BETWEEN 1 AND 255),
    file_size_bytes bigint CHECK (file_size_bytes IS NULL OR file_size_bytes > 0),
    item_count integer CHECK (item_count IS NULL OR item_count >= 0),
    -- Totals as rendered, so the download list can show them without re-reading the items.
    total_planned_cents bigint CHECK (total_planned_cents IS NULL OR total_planned_cents >= 0),
    total_actual_cents bigint CHECK (total_actual_cents IS NULL OR total_actual_cents >= 0),
    currency char(3) NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),
    error_message text CHECK (error_message IS NULL OR length(error_message) <= 2000),
    download_count integer NOT NULL DEFAULT 0 CHECK (download_count >= 0),
    completed_at timestamptz,
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_budget_exports_completed_has_file CHECK (
        status <> 'completed' OR (file_path IS NOT NULL AND completed_at IS NOT NULL AND expires_at IS NOT NULL)
    ),
    -- An expired export must not still point at a file someone could fetch.
    CONSTRAINT ck_budget_exports_expired_has_no_file CHECK (status <> 'expired' OR file_path IS NULL),
    CONSTRAINT ck_budget_exports_expiry_after_completion CHECK (
        expires_at IS NULL OR completed_at IS NULL OR expires_at > completed_at
    ),
    CONSTRAINT fk_budget_exports_wedding FOREIGN KEY (wedding_id, organization_id)
        REFERENCES weddings (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT uq_budget_exports_id_organization_id UNIQUE (id, organization_id)
);

CREATE TABLE IF NOT EXISTS budget_export_queue (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    export_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'done', 'failed')),
    priority smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 0 AND 9),
    attempts smallint NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 10),
    max_attempts smallint NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 10),
    -- Retries back off by moving this forward.
    available_at timestamptz NOT NULL DEFAULT now(),
    locked_by text CHECK (locked_by IS NULL OR length(locked_by) BETWEEN 1 AND 200),
    locked_at timestamptz,
    last_error text CHECK (last_error IS NULL OR length(last_error) <= 2000),
    finished_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_budget_export_queue_lock CHECK (status <> 'processing' OR (locked_by IS NOT NULL AND locked_at IS NOT NULL)),
    CONSTRAINT fk_budget_export_queue_export FOREIGN KEY (export_id, organization_id)
        REFERENCES budget_exports (id, organization_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS ix_budget_items_organization_id ON budget_items (organization_id);
CREATE INDEX IF NOT EXISTS ix_budget_items_wedding_id_organization_id_category
    ON budget_items (wedding_id, organization_id, category);

CREATE INDEX IF NOT EXISTS ix_budget_exports_organization_id_status ON budget_exports (organization_id, status);
CREATE INDEX IF NOT EXISTS ix_budget_exports_wedding_id_organization_id_created_at
    ON budget_exports (wedding_id, organization_id, created_at);
-- The expiry sweep only looks at files that still exist.
CREATE INDEX IF NOT EXISTS ix_budget_exports_expires_at ON budget_exports (expires_at) WHERE status = 'completed';

CREATE INDEX IF NOT EXISTS ix_budget_export_queue_organization_id ON budget_export_queue (organization_id);
-- Unique as well: one queue entry per export, so a retried request can't render twice.
CREATE UNIQUE INDEX IF NOT EXISTS ix_budget_export_queue_export_id_organization_id
    ON budget_export_queue (export_id, organization_id);
-- Claim order for fresh jobs, and the scan for jobs whose worker died.
CREATE INDEX IF NOT EXISTS ix_budget_export_queue_priority_available_at
    ON budget_export_queue (priority DESC, available_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS ix_budget_export_queue_locked_at ON budget_export_queue (locked_at) WHERE status = 'processing';

DROP TRIGGER IF EXISTS trg_budget_items_updated_at ON budget_items;
CREATE TRIGGER trg_budget_items_updated_at BEFORE UPDATE ON budget_items
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_budget_exports_updated_at ON budget_exports;
CREATE TRIGGER trg_budget_exports_updated_at BEFORE UPDATE ON budget_exports
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_budget_export_queue_updated_at ON budget_export_queue;
CREATE TRIGGER trg_budget_export_queue_updated_at BEFORE UPDATE ON budget_export_queue
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- Enqueue in the same transaction as the request, so no export is ever left without a job.
CREATE OR REPLACE FUNCTION budget_exports_enqueue() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.status = 'queued' THEN
        INSERT INTO budget_export_queue (organization_id, export_id, priority)
        -- PDFs take longest; let quick CSVs overtake them.
        VALUES (NEW.organization_id, NEW.id, CASE NEW.format WHEN 'pdf' THEN 4 ELSE 5 END)
        ON CONFLICT (export_id, organization_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS trg_budget_exports_enqueue ON budget_exports;
CREATE TRIGGER trg_budget_exports_enqueue AFTER INSERT ON budget_exports
    FOR EACH ROW EXECUTE FUNCTION budget_exports_enqueue();

-- Workers (the API's background service, on the owner login outside SET ROLE, because a job can
-- belong to any tenant) claim one job at a time. SKIP LOCKED lets many workers poll without
-- blocking each other or taking the same job; a job whose worker stopped answering for
-- 15 minutes becomes claimable again until its attempts run out.
CREATE OR REPLACE FUNCTION claim_budget_export_job(worker text)
RETURNS TABLE (
    queue_id uuid,
    export_id uuid,
    organization_id uuid,
    wedding_id uuid,
    format text,
    filters jsonb,
    currency char(3),
    attempt smallint
)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, public
AS $$
    WITH next_job AS (
        SELECT q.id
        FROM budget_export_queue q
        WHERE q.attempts < q.max_attempts
          AND ((q.status = 'pending' AND q.available_at <= now())
            OR (q.status = 'processing' AND q.locked_at < now() - interval '15 minutes'))
          AND EXISTS (
              SELECT 1 FROM budget_exports e
              WHERE e.id = q.export_id AND e.organization_id = q.organization_id
                AND e.status IN ('queued', 'processing'))
        ORDER BY q.priority DESC, q.available_at, q.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE budget_export_queue q
        SET status = 'processing', locked_by = worker, locked_at = now(), attempts = q.attempts + 1
        FROM next_job n
        WHERE q.id = n.id
        RETURNING q.id, q.export_id, q.organization_id, q.attempts
    ), started AS (
        UPDATE budget_exports e
        SET status = 'processing', error_message = NULL
        FROM claimed c
        WHERE e.id = c.export_id AND e.organization_id = c.organization_id
        RETURNING e.id, e.organization_id, e.wedding_id, e.format, e.filters, e.currency
    )
    SELECT c.id, c.export_id, c.organization_id, s.wedding_id, s.format, s.filters, s.currency, c.attempts
    FROM claimed c
    JOIN started s ON s.id = c.export_id AND s.organization_id = c.organization_id
$$;

-- Closes a claimed job and its export together, so the two never disagree.
CREATE OR REPLACE FUNCTION complete_budget_export_job(
    p_queue_id uuid,
    p_file_path text,
    p_file_name text,
    p_file_size_bytes bigint,
    p_item_count integer,
    p_total_planned_cents bigint,
    p_total_actual_cents bigint,
    p_retention interval DEFAULT interval '7 days'
) RETURNS budget_exports
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    job budget_export_queue;
    result budget_exports;
BEGIN
    UPDATE budget_export_queue q
    SET status = 'done', locked_at = NULL, finished_at = now(), last_error = NULL
    WHERE q.id = p_queue_id AND q.status = 'processing'
    RETURNING q.* INTO job;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'budget export job % is not being processed', p_queue_id USING ERRCODE = 'no_data_found';
    END IF;

    UPDATE budget_exports e
    SET status = 'completed', file_path = p_file_path, file_name = p_file_name,
        file_size_bytes = p_file_size_bytes, item_count = p_item_count,
        total_planned_cents = p_total_planned_cents, total_actual_cents = p_total_actual_cents,
        completed_at = now(), expires_at = now() + p_retention, error_message = NULL
    WHERE e.id = job.export_id AND e.organization_id = job.organization_id
    RETURNING e.* INTO result;
    RETURN result;
END
$$;

-- Failure backs off exponentially (2, 4, 8... minutes) and gives up after max_attempts.
CREATE OR REPLACE FUNCTION fail_budget_export_job(p_queue_id uuid, p_error text) RETURNS budget_export_queue
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    job budget_export_queue;
    message text := left(coalesce(p_error, 'unknown error'), 2000);
BEGIN
    UPDATE budget_export_queue q
    SET status = CASE WHEN q.attempts >= q.max_attempts THEN 'failed' ELSE 'pending' END,
        available_at = now() + make_interval(mins => power(2, q.attempts)::integer),
        locked_at = NULL,
        last_error = message,
        finished_at = CASE WHEN q.attempts >= q.max_attempts THEN now() END
    WHERE q.id = p_queue_id AND q.status = 'processing'
    RETURNING q.* INTO job;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'budget export job % is not being processed', p_queue_id USING ERRCODE = 'no_data_found';
    END IF;

    UPDATE budget_exports e
    SET status = CASE WHEN job.status = 'failed' THEN 'failed' ELSE 'queued' END,
        error_message = message
    WHERE e.id = job.export_id AND e.organization_id = job.organization_id;
    RETURN job;
END
$$;

-- Expires downloadable files and returns their storage paths. Call it in a transaction and delete
-- the blobs before committing: a crash then leaves the rows to retry rather than orphaned files.
-- It also closes jobs whose worker died on the last attempt, which the claim no longer picks up.
CREATE OR REPLACE FUNCTION cleanup_expired_budget_exports(p_batch_size integer DEFAULT 500)
RETURNS TABLE (export_id uuid, organization_id uuid, file_path text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, public
AS $$
    WITH abandoned AS (
        UPDATE budget_export_queue q
        SET status = 'failed', locked_at = NULL, finished_at = now(),
            last_error = coalesce(q.last_error, 'worker stopped responding')
        WHERE q.status = 'processing'
          AND q.locked_at < now() - interval '15 minutes'
          AND q.attempts >= q.max_attempts
        RETURNING q.export_id, q.organization_id, q.last_error
    )
    UPDATE budget_exports e
    SET status = 'failed', error_message = a.last_error
    FROM abandoned a
    WHERE e.id = a.export_id AND e.organization_id = a.organization_id AND e.status = 'processing';

    WITH due AS (
        SELECT e.id, e.organization_id, e.file_path
        FROM budget_exports e
        WHERE e.status = 'completed' AND e.expires_at <= now()
        ORDER BY e.expires_at
        LIMIT p_batch_size
        FOR UPDATE SKIP LOCKED
    ), expired AS (
        UPDATE budget_exports e
        SET status = 'expired', file_path = NULL
        FROM due d
        WHERE e.id = d.id AND e.organization_id = d.organization_id
        RETURNING e.id, e.organization_id
    )
    SELECT d.id, d.organization_id, d.file_path
    FROM due d
    JOIN expired x ON x.id = d.id AND x.organization_id = d.organization_id
$$;

ALTER TABLE budget_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE budget_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE budget_export_queue ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS budget_items_tenant_isolation ON budget_items;
CREATE POLICY budget_items_tenant_isolation ON budget_items FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS budget_exports_tenant_isolation ON budget_exports;
CREATE POLICY budget_exports_tenant_isolation ON budget_exports FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS budget_export_queue_tenant_isolation ON budget_export_queue;
CREATE POLICY budget_export_queue_tenant_isolation ON budget_export_queue FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

GRANT SELECT, INSERT, UPDATE, DELETE ON budget_items TO wedsync_user;
-- No DELETE: an export is cancelled, never removed, so its file can still be expired and deleted.
GRANT SELECT, INSERT, UPDATE ON budget_exports TO wedsync_user;
-- INSERT for the enqueue trigger, which runs as the requesting user; workers update as the owner.
GRANT SELECT, INSERT ON budget_export_queue TO wedsync_user;

-- Trigger and worker functions are not part of the request API: the workers run as the owner.
REVOKE EXECUTE ON FUNCTION budget_exports_enqueue() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION claim_budget_export_job(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION complete_budget_export_job(uuid, text, text, bigint, integer, bigint, bigint, interval) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION fail_budget_export_job(uuid, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cleanup_expired_budget_exports(integer) FROM PUBLIC;
