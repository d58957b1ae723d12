-- WS-154 follow-up (issue 15, kind 7): one sampler per database, also behind a transaction pooler.
-- The API's sampler held a session advisory lock; behind PgBouncer in transaction mode a session is
-- a server connection shared by every client, so a second API instance that got the same server
-- connection took the lock again (advisory locks are re-entrant within a session) and both sampled.
-- A lease is a row instead: taken or renewed by one autocommit statement per tick, with an expiry
-- on the database's clock. It holds whatever carries the statement (direct, session or transaction
-- pooling) and frees itself when its holder stops renewing it.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS monitoring_sampler_lease (
    -- One row per leased job; the sampler's is 'sampler'.
    name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    -- The instance holding it: host, process id and a random part (several hosts may share a process).
    holder text NOT NULL CHECK (length(holder) BETWEEN 1 AND 200),
    acquired_at timestamptz NOT NULL,
    renewed_at timestamptz NOT NULL,
    -- Another instance may take the lease once this has passed (the holder renews it every tick).
    expires_at timestamptz NOT NULL,
    CHECK (renewed_at >= acquired_at)
);

COMMENT ON TABLE monitoring_sampler_lease IS
    'WS-154: which API instance runs the monitoring sampler, until when (platform table; written by the API''s own login, readable by platform admins).';

ALTER TABLE monitoring_sampler_lease ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS monitoring_sampler_lease_platform_admin ON monitoring_sampler_lease;
CREATE POLICY monitoring_sampler_lease_platform_admin ON monitoring_sampler_lease FOR SELECT TO wedsync_user
    USING ((SELECT app.is_platform_admin()));

REVOKE ALL ON monitoring_sampler_lease FROM PUBLIC;
GRANT SELECT ON monitoring_sampler_lease TO wedsync_user;
