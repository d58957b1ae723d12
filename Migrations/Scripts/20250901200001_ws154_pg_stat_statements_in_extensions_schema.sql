-- WS-154 follow-up (issue 15, advisor check extension_in_public): pg_stat_statements lived in
-- public, the schema every role uses, where its functions and views mix with ours and any role that
-- may create objects in public could shadow them. It moves to a schema of its own, extensions
-- (Supabase's layout). The request role reads its view for GET /api/monitoring/query-stats, which
-- finds the schema through pg_extension, so it gets USAGE on the schema (the extension grants
-- SELECT on its views to PUBLIC itself).
-- Servers where the extension is absent (see 20250825100000) or belongs to someone else keep
-- working: the move is skipped with a notice, as its installation was.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE SCHEMA IF NOT EXISTS extensions;
COMMENT ON SCHEMA extensions IS 'Extensions'' objects (pg_stat_statements), kept out of public.';
REVOKE ALL ON SCHEMA extensions FROM PUBLIC;
GRANT USAGE ON SCHEMA extensions TO wedsync_user;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements' AND extnamespace = 'public'::regnamespace) THEN
        ALTER EXTENSION pg_stat_statements SET SCHEMA extensions;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_stat_statements stays in schema public (%)', SQLERRM;
END
$$;
