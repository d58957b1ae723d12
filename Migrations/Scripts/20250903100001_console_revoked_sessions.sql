-- Issue 28 (console hardening): signing out must end the session on the server. The console's cookie
-- is a self-contained ticket, so a copy saved before sign-out kept working for its whole 8 h lifetime.
-- Each sign-in now carries a session id; sign-out records it here until the cookie would have expired,
-- and every console request checks it. Written and read by the API's own login only.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '1min';

CREATE TABLE IF NOT EXISTS app.console_revoked_sessions (
    session_id uuid PRIMARY KEY,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

COMMENT ON TABLE app.console_revoked_sessions IS
    'Console sessions signed out before their cookie expired (issue 28); a row is kept until expires_at, then deleted by the next sign-out.';

ALTER TABLE app.console_revoked_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY console_revoked_sessions_platform_admin_read ON app.console_revoked_sessions
    FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
