-- Issue 22: active session history. The API samples pg_stat_activity every
-- Monitoring:WaitSampleInterval (1 s) and stores the active backends of this database aggregated per
-- bucket (Monitoring:WaitFlushInterval, 10 s) x wait event x query id x login x vendor organization;
-- one sample of an active backend is one sample interval of database time. The writer deletes rows
-- past Monitoring:WaitHistoryRetention in the same statement as its insert.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';

CREATE TABLE IF NOT EXISTS monitoring_history.wait_samples (
    -- A surrogate: the natural key has nullable parts (query id, organization).
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket_start timestamptz NOT NULL,
    bucket_seconds integer NOT NULL CHECK (bucket_seconds > 0),
    -- 'CPU' for both when the backend was active and waiting on nothing.
    wait_event_type text NOT NULL,
    wait_event text NOT NULL,
    queryid bigint,
    role_name text NOT NULL,
    -- Null: not work of an API request (another login, a background worker, an untagged session).
    organization_id uuid,
    samples integer NOT NULL CHECK (samples > 0),
    db_seconds double precision NOT NULL CHECK (db_seconds > 0)
);

CREATE INDEX IF NOT EXISTS wait_samples_bucket_start ON monitoring_history.wait_samples (bucket_start);

COMMENT ON TABLE monitoring_history.wait_samples IS
    'Active session history: database time per bucket, wait event, query id, login and vendor organization (GET /api/monitoring/wait-events).';

-- Like every history table: written and read by the API's own login (the owner); RLS with a
-- platform-admin read policy keeps the house rule should a grant ever be added.
ALTER TABLE monitoring_history.wait_samples ENABLE ROW LEVEL SECURITY;
CREATE POLICY wait_samples_platform_admin_read ON monitoring_history.wait_samples FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
REVOKE ALL ON monitoring_history.wait_samples FROM PUBLIC;
