-- 1,000 extra tables for the WS-154 monitoring benchmarks (summary, advisor), on a migrated
-- database of their own, run as the owner.
--
--   psql -v tables=1000 -f monitoring_tables.sql
--
-- Table bench_mon_NNNN gets, by NNNN % 4:
--   0  no RLS at all                         -> RLS risk HIGH, advisor error
--   1  RLS enabled, no policy                -> RLS risk MEDIUM, advisor warning
--   2  RLS + policy, a foreign key to bench_mon_parent without an index on it
--   3  RLS + policy, autovacuum off, 2,000 rows of which 1,500 deleted -> dead tuples, needs vacuum
-- Every 10th table has no primary key and every 25th a duplicate index, for the advisor's checks.
-- Plus a platform-admin organization with operators (user ids md5('bench-ops-<k>')) for the tokens.

\set ON_ERROR_STOP on
\timing on
SELECT clock_timestamp() AS started_at \gset

CREATE TABLE IF NOT EXISTS bench_mon_parent (
    id bigint PRIMARY KEY,
    label text NOT NULL
);
INSERT INTO bench_mon_parent (id, label)
SELECT g, 'parent ' || g FROM generate_series(1, 100) AS g
ON CONFLICT (id) DO NOTHING;
ALTER TABLE bench_mon_parent ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS bench_mon_parent_read ON bench_mon_parent;
CREATE POLICY bench_mon_parent_read ON bench_mon_parent FOR SELECT TO wedsync_user USING (true);

-- psql does not substitute variables inside dollar quotes: hand the count over as a setting.
SELECT set_config('bench.tables', :'tables', false) AS tables;

DO $$
DECLARE
    n integer;
    kind integer;
    t text;
BEGIN
    FOR n IN 1 .. current_setting('bench.tables')::integer LOOP
        kind := n % 4;
        t := format('bench_mon_%s', lpad(n::text, 4, '0'));
        EXECUTE format(
            'CREATE TABLE %I (id bigint %s, parent_id bigint %s, label text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())%s',
            t,
            CASE WHEN n % 10 = 0 THEN 'NOT NULL' ELSE 'PRIMARY KEY' END,
            CASE WHEN kind = 2 THEN 'REFERENCES bench_mon_parent (id)' ELSE '' END,
            CASE WHEN kind = 3 THEN ' WITH (autovacuum_enabled = false)' ELSE '' END);
        IF n % 25 = 0 THEN
            EXECUTE format('CREATE INDEX %I ON %I (created_at)', t || '_created_a', t);
            EXECUTE format('CREATE INDEX %I ON %I (created_at)', t || '_created_b', t);
        END IF;
        IF kind <> 0 THEN
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        END IF;
        IF kind IN (2, 3) THEN
            EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO wedsync_user USING (true)', t || '_read', t);
        END IF;
        IF kind = 3 THEN
            EXECUTE format('INSERT INTO %I (id, label) SELECT g, ''row '' || g FROM generate_series(1, 2000) AS g', t);
            EXECUTE format('DELETE FROM %I WHERE id > 500', t);
        ELSE
            EXECUTE format('INSERT INTO %I (id, parent_id, label) SELECT g, %s, ''row '' || g FROM generate_series(1, 10) AS g',
                           t, CASE WHEN kind = 2 THEN '1 + g % 100' ELSE 'NULL' END);
        END IF;
    END LOOP;
END
$$;

-- Operators: platform_admin comes from the token's roles claim; the profiles give their
-- subjects a home, as real operators have.
INSERT INTO organizations (id, name, slug, created_at)
VALUES (md5('bench-ops')::uuid, 'WedSync operations (bench)', 'bench-ops', now() - interval '120 days')
ON CONFLICT (slug) DO NOTHING;
INSERT INTO user_profiles (user_id, organization_id, role, email, display_name, created_at)
SELECT md5('bench-ops-' || k)::uuid, md5('bench-ops')::uuid, 'MEMBER', 'ops-' || k || '@wedsync.bench.test',
       'Operator ' || k, now() - interval '90 days'
FROM generate_series(0, 99) AS k
ON CONFLICT (user_id) DO NOTHING;

\timing off
-- Analyze for the planner but do not vacuum: the dead tuples are the point of kind 3.
ANALYZE;

SELECT count(*) FILTER (WHERE c.relname LIKE 'bench_mon_%') AS bench_tables,
       count(*) AS public_tables
FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE ns.nspname = 'public' AND c.relkind = 'r';

SELECT risk_level, count(*) AS tables FROM monitoring_rls_status GROUP BY 1 ORDER BY 1;

SELECT round(extract(epoch FROM clock_timestamp() - :'started_at'::timestamptz), 1) AS seconds_taken;
