-- WS-154 follow-up (issue 17): monitoring over time. Query statistics were cumulative since the last
-- reset and table sizes existed only as a snapshot, so nothing said when a statement got slower, how
-- fast a sequence is running out, or what a migration request changed.
-- Everything here lives in schema monitoring_history: platform data written by the API's own login
-- (the sampler, one per fleet through its lease), never by a tenant session.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE SCHEMA IF NOT EXISTS monitoring_history;
REVOKE ALL ON SCHEMA monitoring_history FROM PUBLIC;

-- Statement text, once per query id, redacted by the one monitoring rule (monitoring_redact_query).
CREATE TABLE IF NOT EXISTS monitoring_history.query_texts (
    queryid bigint PRIMARY KEY,
    query text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);

-- The counters of every pg_stat_statements entry as last read: the next capture's deltas start here.
-- Kept per entry (user, query id, top level), because an entry can be evicted (dealloc) and come back
-- on its own while the other entries of its query id keep counting.
CREATE TABLE IF NOT EXISTS monitoring_history.query_counters (
    userid oid NOT NULL,
    queryid bigint NOT NULL,
    toplevel boolean NOT NULL,
    calls bigint NOT NULL,
    total_time_ms double precision NOT NULL,
    rows bigint NOT NULL,
    shared_blks_hit bigint NOT NULL,
    shared_blks_read bigint NOT NULL,
    PRIMARY KEY (userid, queryid, toplevel)
);

-- One row per capture: the interval a capture's deltas cover is (interval_start, captured_at].
CREATE TABLE IF NOT EXISTS monitoring_history.query_captures (
    captured_at timestamptz PRIMARY KEY,
    interval_start timestamptz,
    stats_reset timestamptz,
    entries integer NOT NULL,
    stored integer NOT NULL,
    reset_seen boolean NOT NULL DEFAULT false
);

-- The deltas per query id and capture, the costliest statements of each interval. Partitioned by UTC
-- day so that retention drops whole partitions (no row-by-row DELETE, no bloat, no vacuum debt).
CREATE TABLE IF NOT EXISTS monitoring_history.query_history (
    captured_at timestamptz NOT NULL,
    queryid bigint NOT NULL,
    calls bigint NOT NULL,
    total_time_ms double precision NOT NULL,
    rows bigint NOT NULL,
    shared_blks_hit bigint NOT NULL,
    shared_blks_read bigint NOT NULL,
    -- One row per query id and capture; the key carries the partition column, as PostgreSQL requires.
    PRIMARY KEY (queryid, captured_at)
) PARTITION BY RANGE (captured_at);

-- Creates the partitions from today (UTC) to p_days_ahead days on, drops every partition whose range
-- ended before now() - p_retention. Returns the number of partitions dropped.
CREATE OR REPLACE FUNCTION monitoring_history.maintain_query_partitions(p_retention interval, p_days_ahead integer)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, monitoring_history
AS $$
DECLARE
    v_day date;
    v_part record;
    v_dropped integer := 0;
BEGIN
    FOR i IN 0 .. greatest(p_days_ahead, 1) LOOP
        v_day := (now() AT TIME ZONE 'UTC')::date + i;
        IF to_regclass(format('monitoring_history.query_history_p%s', to_char(v_day, 'YYYYMMDD'))) IS NULL THEN
            EXECUTE format('CREATE TABLE monitoring_history.%I PARTITION OF monitoring_history.query_history FOR VALUES FROM (%L) TO (%L)',
                           'query_history_p' || to_char(v_day, 'YYYYMMDD'),
                           (v_day::timestamp AT TIME ZONE 'UTC'), ((v_day + 1)::timestamp AT TIME ZONE 'UTC'));
        END IF;
    END LOOP;

    -- The upper bound is read from the partition itself, whatever its name.
    FOR v_part IN
        SELECT c.oid::regclass AS part,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz AS upper_bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'monitoring_history.query_history'::regclass
    LOOP
        IF v_part.upper_bound IS NOT NULL AND v_part.upper_bound <= now() - p_retention THEN
            EXECUTE format('DROP TABLE %s', v_part.part);
            v_dropped := v_dropped + 1;
        END IF;
    END LOOP;

    DELETE FROM monitoring_history.query_captures WHERE captured_at < now() - p_retention;
    DELETE FROM monitoring_history.query_texts WHERE last_seen_at < now() - p_retention;
    RETURN v_dropped;
END
$$;

-- One capture: reads pg_stat_statements (located through pg_extension, any schema, any version that
-- has queryid), stores the delta of every entry since the previous capture and keeps the p_top query
-- ids of this interval by total time. A counter lower than last time means the entry restarted from 0
-- (pg_stat_statements_reset(), or evicted and tracked again): its delta is its value now. A changed
-- stats_reset (pg_stat_statements_info, 1.9+) restarts every entry. The first capture only sets the
-- baseline. Returns the number of query ids stored, or -1 when the extension is not installed here.
CREATE OR REPLACE FUNCTION monitoring_history.capture_queries(p_top integer)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, monitoring_history, public
AS $$
DECLARE
    v_schema text;
    v_view regclass;
    v_total text;
    v_toplevel text;
    v_reset timestamptz;
    v_last record;
    v_first boolean;
    v_reset_seen boolean;
    v_entries integer;
    v_stored integer;
BEGIN
    SELECT n.nspname INTO v_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_stat_statements';
    IF v_schema IS NULL THEN
        RETURN -1;
    END IF;
    v_view := format('%I.pg_stat_statements', v_schema)::regclass;
    v_total := CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = v_view AND attname = 'total_exec_time' AND NOT attisdropped)
                    THEN 'total_exec_time' ELSE 'total_time' END;
    v_toplevel := CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = v_view AND attname = 'toplevel' AND NOT attisdropped)
                       THEN 's.toplevel' ELSE 'true' END;
    IF to_regclass(format('%I.pg_stat_statements_info', v_schema)) IS NOT NULL THEN
        EXECUTE format('SELECT stats_reset FROM %I.pg_stat_statements_info', v_schema) INTO v_reset;
    END IF;

    -- Serializes captures (a second sampler in a lease hand-over waits, then sees this one's counters).
    LOCK TABLE monitoring_history.query_counters IN SHARE ROW EXCLUSIVE MODE;
    SELECT captured_at, stats_reset INTO v_last FROM monitoring_history.query_captures ORDER BY captured_at DESC LIMIT 1;
    v_first := v_last.captured_at IS NULL;
    v_reset_seen := NOT v_first AND v_reset IS DISTINCT FROM v_last.stats_reset AND v_last.stats_reset IS NOT NULL;

    -- showtext => false: the texts file is read below only for query ids that have no text yet.
    EXECUTE format('
        CREATE TEMP TABLE monitoring_current ON COMMIT DROP AS
        SELECT s.userid, s.queryid, %s AS toplevel, s.calls, s.%I AS total_time_ms, s.rows, s.shared_blks_hit, s.shared_blks_read
        FROM %I.pg_stat_statements(false) s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.queryid IS NOT NULL
        ', v_toplevel, v_total, v_schema);
    GET DIAGNOSTICS v_entries = ROW_COUNT;

    CREATE TEMP TABLE monitoring_stored ON COMMIT DROP AS
    WITH deltas AS (
        SELECT c.queryid,
               CASE WHEN v_reset_seen OR p.calls IS NULL OR c.calls < p.calls THEN c.calls ELSE c.calls - p.calls END AS calls,
               CASE WHEN v_reset_seen OR p.calls IS NULL OR c.calls < p.calls THEN c.total_time_ms ELSE greatest(c.total_time_ms - p.total_time_ms, 0) END AS total_time_ms,
               CASE WHEN v_reset_seen OR p.calls IS NULL OR c.calls < p.calls THEN c.rows ELSE greatest(c.rows - p.rows, 0) END AS rows,
               CASE WHEN v_reset_seen OR p.calls IS NULL OR c.calls < p.calls THEN c.shared_blks_hit ELSE greatest(c.shared_blks_hit - p.shared_blks_hit, 0) END AS hit,
               CASE WHEN v_reset_seen OR p.calls IS NULL OR c.calls < p.calls THEN c.shared_blks_read ELSE greatest(c.shared_blks_read - p.shared_blks_read, 0) END AS read
        FROM pg_temp.monitoring_current c
        LEFT JOIN monitoring_history.query_counters p
               ON p.userid = c.userid AND p.queryid = c.queryid AND p.toplevel = c.toplevel
    )
    SELECT queryid, sum(calls)::bigint AS calls, sum(total_time_ms) AS total_time_ms, sum(rows)::bigint AS rows,
           sum(hit)::bigint AS hit, sum(read)::bigint AS read
    FROM deltas
    WHERE NOT v_first
    GROUP BY queryid
    HAVING sum(calls) > 0
    ORDER BY sum(total_time_ms) DESC, queryid
    LIMIT greatest(p_top, 1);
    GET DIAGNOSTICS v_stored = ROW_COUNT;

    INSERT INTO monitoring_history.query_history (captured_at, queryid, calls, total_time_ms, rows, shared_blks_hit, shared_blks_read)
    SELECT now(), queryid, calls, total_time_ms, rows, hit, read FROM pg_temp.monitoring_stored;

    UPDATE monitoring_history.query_texts t SET last_seen_at = now()
    FROM pg_temp.monitoring_stored s WHERE s.queryid = t.queryid;
    IF EXISTS (SELECT 1 FROM pg_temp.monitoring_stored s WHERE NOT EXISTS (SELECT 1 FROM monitoring_history.query_texts t WHERE t.queryid = s.queryid)) THEN
        EXECUTE format('
            INSERT INTO monitoring_history.query_texts (queryid, query)
            SELECT DISTINCT ON (s.queryid) s.queryid, public.monitoring_redact_query(s.query, 2000)
            FROM %I.pg_stat_statements(true) s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s.queryid IN (SELECT m.queryid FROM pg_temp.monitoring_stored m
                                WHERE NOT EXISTS (SELECT 1 FROM monitoring_history.query_texts t WHERE t.queryid = m.queryid))
              AND s.query IS NOT NULL
            ON CONFLICT (queryid) DO NOTHING
            ', v_schema);
    END IF;

    DELETE FROM monitoring_history.query_counters;
    INSERT INTO monitoring_history.query_counters
    SELECT userid, queryid, toplevel, calls, total_time_ms, rows, shared_blks_hit, shared_blks_read FROM pg_temp.monitoring_current;

    INSERT INTO monitoring_history.query_captures (captured_at, interval_start, stats_reset, entries, stored, reset_seen)
    VALUES (now(), v_last.captured_at, v_reset, v_entries, v_stored, v_reset_seen)
    ON CONFLICT (captured_at) DO NOTHING;
    DROP TABLE pg_temp.monitoring_current;
    DROP TABLE pg_temp.monitoring_stored;
    RETURN v_stored;
END
$$;

-- Size of every table and index per UTC day: the latest reading of the day.
CREATE TABLE IF NOT EXISTS monitoring_history.object_sizes (
    day date NOT NULL,
    object_name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('table', 'index')),
    bytes bigint NOT NULL,
    measured_at timestamptz NOT NULL,
    PRIMARY KEY (day, object_name)
);

-- Readings of the counters that run out: each sequence against what it and the columns it feeds can
-- hold, the database's transaction-id age against wraparound, the database size against a configured limit.
CREATE TABLE IF NOT EXISTS monitoring_history.capacity_samples (
    sampled_at timestamptz NOT NULL,
    kind text NOT NULL CHECK (kind IN ('sequence', 'xid', 'database_size')),
    object_name text NOT NULL,
    value numeric NOT NULL,
    max_value numeric,
    PRIMARY KEY (kind, object_name, sampled_at)
);

-- One capacity reading: today's object sizes (replacing today's earlier reading) and a capacity sample.
-- p_size_limit is the database size that counts as full (null: size is sampled, no days left).
CREATE OR REPLACE FUNCTION monitoring_history.capture_capacity(p_size_limit bigint, p_retention interval)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, monitoring_history
AS $$
DECLARE
    v_rows integer;
BEGIN
    INSERT INTO monitoring_history.object_sizes (day, object_name, kind, bytes, measured_at)
    SELECT (now() AT TIME ZONE 'UTC')::date, format('%I.%I', n.nspname, c.relname),
           CASE WHEN c.relkind IN ('i', 'I') THEN 'index' ELSE 'table' END,
           CASE WHEN c.relkind IN ('i', 'I') THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END,
           now()
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm', 'i')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'monitoring_history')
      AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
    ON CONFLICT (day, object_name) DO UPDATE SET bytes = excluded.bytes, kind = excluded.kind, measured_at = excluded.measured_at;
    GET DIAGNOSTICS v_rows = ROW_COUNT;

    INSERT INTO monitoring_history.capacity_samples (sampled_at, kind, object_name, value, max_value)
    WITH fed AS (
        SELECT d.objid AS seq, d.refobjid AS rel, d.refobjsubid AS att
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
        UNION
        SELECT d.refobjid, ad.adrelid, ad.adnum
        FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid
        JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
        WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass
    ), columns AS (
        SELECT f.seq,
               min(CASE a.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647
                                   WHEN 'int8'::regtype THEN 9223372036854775807 END) AS col_max
        FROM fed f JOIN pg_attribute a ON a.attrelid = f.rel AND a.attnum = f.att AND NOT a.attisdropped
        GROUP BY f.seq
    )
    -- Ascending sequences only: a descending one runs towards its minimum, which a rate up cannot reach.
    SELECT now(), 'sequence', format('%I.%I', n.nspname, c.relname), v.last_value,
           least(sq.seqmax, coalesce(col.col_max, sq.seqmax))
    FROM pg_sequence sq
    JOIN pg_class c ON c.oid = sq.seqrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN columns col ON col.seq = sq.seqrelid
    CROSS JOIN LATERAL (SELECT pg_sequence_last_value(c.oid)::numeric AS last_value) v
    WHERE sq.seqincrement > 0 AND v.last_value IS NOT NULL AND NOT pg_is_other_temp_schema(n.oid)
    UNION ALL
    -- PostgreSQL refuses new transaction ids 3 million short of 2^31 (the wraparound stop).
    SELECT now(), 'xid', current_database(), age(d.datfrozenxid), 2147483647 - 3000000
    FROM pg_database d WHERE d.datname = current_database()
    UNION ALL
    SELECT now(), 'database_size', current_database(), pg_database_size(current_database()), p_size_limit
    ON CONFLICT DO NOTHING;

    DELETE FROM monitoring_history.object_sizes WHERE day < (now() - p_retention)::date;
    DELETE FROM monitoring_history.capacity_samples WHERE sampled_at < now() - p_retention;
    RETURN v_rows;
END
$$;

-- Days left of every sampled counter at its current rate: the least-squares slope of its samples over
-- the last p_window (at least two samples), per day. A counter that does not grow has no days left (null).
CREATE OR REPLACE FUNCTION monitoring_history.capacity_forecasts(p_window interval DEFAULT interval '7 days')
RETURNS TABLE (kind text, object_name text, value numeric, max_value numeric, per_day double precision,
               days_left double precision, samples integer, first_sampled_at timestamptz, last_sampled_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, monitoring_history
AS $$
    WITH recent AS (
        SELECT s.* FROM monitoring_history.capacity_samples s WHERE s.sampled_at > now() - p_window
    ), fit AS (
        SELECT r.kind, r.object_name,
               regr_slope(r.value::double precision, extract(epoch FROM r.sampled_at)::double precision) * 86400 AS per_day,
               count(*)::integer AS samples, min(r.sampled_at) AS first_at, max(r.sampled_at) AS last_at
        FROM recent r GROUP BY r.kind, r.object_name
        HAVING count(*) >= 2
    )
    SELECT f.kind, f.object_name, l.value, l.max_value, f.per_day,
           CASE WHEN f.per_day > 0 AND l.max_value IS NOT NULL THEN greatest(l.max_value - l.value, 0)::double precision / f.per_day END,
           f.samples, f.first_at, f.last_at
    FROM fit f
    JOIN LATERAL (SELECT r.value, r.max_value FROM recent r
                  WHERE r.kind = f.kind AND r.object_name = f.object_name ORDER BY r.sampled_at DESC LIMIT 1) l ON true
$$;

-- The advisor's capacity_forecast check: every counter with fewer than 90 days left (error under 14).
CREATE OR REPLACE FUNCTION monitoring_history.capacity_findings()
RETURNS TABLE (object_name text, level text, detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, monitoring_history
AS $$
    SELECT f.object_name,
           CASE WHEN f.days_left < 14 THEN 'error' ELSE 'warn' END,
           format('%s: %s days left at %s/day (%s)', f.object_name, round(f.days_left::numeric, 1),
                  CASE WHEN f.per_day >= 1e9 THEN round((f.per_day / 1e9)::numeric, 1) || ' G'
                       WHEN f.per_day >= 1e6 THEN round((f.per_day / 1e6)::numeric, 1) || ' M'
                       WHEN f.per_day >= 1e3 THEN round((f.per_day / 1e3)::numeric, 1) || ' k'
                       ELSE round(f.per_day::numeric, 1)::text END,
                  CASE f.kind WHEN 'sequence' THEN 'sequence values' WHEN 'xid' THEN 'transaction ids' ELSE 'bytes' END)
    FROM monitoring_history.capacity_forecasts() f
    WHERE f.days_left IS NOT NULL AND f.days_left < 90
$$;

-- Only the API's own login (the table owner) writes and reads these; row-level security with a
-- platform-admin read policy keeps the house rule (no table without RLS) should a grant ever be added.
ALTER TABLE monitoring_history.query_texts ENABLE ROW LEVEL SECURITY;
CREATE POLICY query_texts_platform_admin_read ON monitoring_history.query_texts FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
ALTER TABLE monitoring_history.query_counters ENABLE ROW LEVEL SECURITY;
CREATE POLICY query_counters_platform_admin_read ON monitoring_history.query_counters FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
ALTER TABLE monitoring_history.query_captures ENABLE ROW LEVEL SECURITY;
CREATE POLICY query_captures_platform_admin_read ON monitoring_history.query_captures FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
ALTER TABLE monitoring_history.query_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY query_history_platform_admin_read ON monitoring_history.query_history FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
ALTER TABLE monitoring_history.object_sizes ENABLE ROW LEVEL SECURITY;
CREATE POLICY object_sizes_platform_admin_read ON monitoring_history.object_sizes FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));
ALTER TABLE monitoring_history.capacity_samples ENABLE ROW LEVEL SECURITY;
CREATE POLICY capacity_samples_platform_admin_read ON monitoring_history.capacity_samples FOR SELECT TO wedsync_user USING ((SELECT app.is_platform_admin()));

-- query_counters is rewritten at every capture (one row per statement entry): vacuum it by row count,
-- not by a fraction of a small table, so it never carries dead rows for long.
ALTER TABLE monitoring_history.query_counters SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
REVOKE ALL ON ALL TABLES IN SCHEMA monitoring_history FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA monitoring_history FROM PUBLIC;

-- Today's partition and a few ahead exist from the start; the history sampler keeps them ahead.
SELECT monitoring_history.maintain_query_partitions(interval '14 days', 3);
