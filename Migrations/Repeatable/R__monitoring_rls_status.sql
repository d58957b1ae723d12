-- Repeatable (Migrations/Repeatable/): the monitoring_rls_status view, stated once. up runs this file again,
-- after every versioned script, whenever its text changes: change it here, never in a new versioned script (a
-- test holds that). The versioned scripts that defined or altered it (20250825100000, 20250901100000,
-- 20250901200000) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE VIEW monitoring_rls_status WITH (security_barrier = true, security_invoker = true) AS
WITH request_role AS MATERIALIZED (
    SELECT r.oid FROM pg_roles r WHERE r.rolname = 'wedsync_user'
), member_of AS MATERIALIZED (
    -- The request role and every role whose privileges it has (inherited membership).
    SELECT array_agg(r.oid) AS oids FROM pg_roles r CROSS JOIN request_role rr WHERE pg_has_role(rr.oid, r.oid, 'USAGE')
), column_grants AS MATERIALIZED (
    -- Column-level grants to those roles: pg_shdepend names every role an ACL mentions, one row per
    -- column, so the (per column) privilege check runs only where there is something to find.
    SELECT DISTINCT s.objid AS attrelid
    FROM pg_shdepend s CROSS JOIN member_of m
    WHERE s.dbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND s.classid = 'pg_class'::regclass AND s.objsubid > 0 AND s.deptype = 'a' AND s.refobjid = ANY (m.oids)
), relations AS MATERIALIZED (
    -- Materialized so that every privilege function runs once per relation, however often the
    -- judgement below refers to its result. Without an ACL (relacl NULL) only the owner has
    -- privileges, so the ACL functions run only for relations that have one.
    SELECT
        c.oid,
        n.nspname,
        c.relname,
        c.relkind,
        c.relispartition,
        c.relrowsecurity,
        c.relforcerowsecurity,
        (c.relowner = ANY (m.oids)
         OR (c.relacl IS NOT NULL AND has_table_privilege(rr.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'))
         OR (cg.attrelid IS NOT NULL AND has_any_column_privilege(rr.oid, c.oid, 'SELECT, INSERT, UPDATE'))) AS reachable,
        c.relkind IN ('r', 'p')
            AND (c.relowner = ANY (m.oids) OR (c.relacl IS NOT NULL AND has_table_privilege(rr.oid, c.oid, 'TRUNCATE'))) AS can_truncate,
        -- The owner (and every member of the owner's role) bypasses RLS unless it is forced.
        c.relowner = ANY (m.oids) AS owned_by_request_role,
        coalesce(c.reloptions::text[] && ARRAY['security_invoker=true', 'security_invoker=on', 'security_invoker=1']::text[], false) AS invoker_view
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN request_role rr
    CROSS JOIN member_of m
    LEFT JOIN column_grants cg ON cg.attrelid = c.oid
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%'
      AND n.nspname NOT LIKE 'pg\_temp\_%'
      -- Extension-owned relations are the extension's to secure.
      AND NOT EXISTS (
          SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
), policy_counts AS MATERIALIZED (
    SELECT p.polrelid, count(*)::integer AS policies FROM pg_policy p GROUP BY p.polrelid
), judged AS (
    SELECT
        r.*,
        coalesce(pc.policies, 0) AS policies,
        CASE
            WHEN r.relkind = 'v' AND r.reachable AND NOT r.invoker_view
                THEN 'view runs with its owner''s rights, so the row-level security of the tables it reads does not apply to the request role'
            WHEN r.relkind = 'm' AND r.reachable
                THEN 'materialized view: its rows are stored without row-level security'
            WHEN r.relkind = 'f' AND r.reachable
                THEN 'foreign table: row-level security cannot be enabled on it'
            WHEN r.relkind IN ('r', 'p') AND NOT r.relrowsecurity AND r.reachable
                THEN CASE WHEN r.relispartition
                          THEN 'partition readable directly: its parent''s policies do not apply to it'
                          ELSE 'row-level security is off' END
            WHEN r.relkind IN ('r', 'p') AND NOT r.relrowsecurity
                THEN 'row-level security is off (schema public: one GRANT away from the request role)'
            WHEN r.relkind IN ('r', 'p') AND r.reachable AND r.owned_by_request_role AND NOT r.relforcerowsecurity
                THEN 'the request role owns the table and so bypasses its policies (FORCE ROW LEVEL SECURITY is off)'
            WHEN r.can_truncate
                THEN 'the request role may TRUNCATE it, which row-level security does not check'
        END AS high_reason
    FROM relations r
    LEFT JOIN policy_counts pc ON pc.polrelid = r.oid
    -- Reachable relations, and (as before) every parent table of the exposed schema.
    WHERE r.reachable OR (r.nspname = 'public' AND r.relkind IN ('r', 'p') AND NOT r.relispartition)
)
SELECT
    j.nspname AS schema_name,
    j.relname AS table_name,
    j.relrowsecurity AS rls_enabled,
    j.relforcerowsecurity AS rls_forced,
    j.policies AS policy_count,
    CASE
        WHEN j.high_reason IS NOT NULL THEN 'HIGH'
        WHEN j.relkind IN ('r', 'p') AND j.policies = 0 THEN 'MEDIUM'
        ELSE 'LOW'
    END AS risk_level,
    CASE j.relkind
        WHEN 'r' THEN CASE WHEN j.relispartition THEN 'partition' ELSE 'table' END
        WHEN 'p' THEN CASE WHEN j.relispartition THEN 'partition' ELSE 'partitioned table' END
        WHEN 'v' THEN 'view'
        WHEN 'm' THEN 'materialized view'
        WHEN 'f' THEN 'foreign table'
    END AS relation_kind,
    j.reachable AS request_role_has_privileges,
    coalesce(j.high_reason,
             CASE WHEN j.relkind IN ('r', 'p') AND j.policies = 0 THEN 'row-level security is on but no policy exists' END) AS reason
FROM judged j
WHERE ((SELECT app.is_platform_admin()) OR current_user <> 'wedsync_user');
