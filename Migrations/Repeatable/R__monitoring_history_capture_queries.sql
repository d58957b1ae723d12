-- Repeatable (Migrations/Repeatable/): monitoring_history.capture_queries(integer), stated once. up runs this
-- file again, after every versioned script, whenever its text changes: change it here, never in a new
-- versioned script (a test holds that). The versioned scripts that defined or altered it (20250901500000,
-- 20250901510000, 20250902610000) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
    v_dealloc bigint;
    v_deallocations bigint;
    v_since text;
    v_max text;
    v_min text;
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
    v_max := CASE WHEN v_total = 'total_exec_time' THEN 'max_exec_time' ELSE 'max_time' END;
    v_min := CASE WHEN v_total = 'total_exec_time' THEN 'min_exec_time' ELSE 'min_time' END;
    v_toplevel := CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = v_view AND attname = 'toplevel' AND NOT attisdropped)
                       THEN 's.toplevel' ELSE 'true' END;
    -- stats_since (1.11, PostgreSQL 17): when an entry began counting, so an entry evicted and tracked
    -- again since the last capture is known to restart from 0 even when it already counts more than then.
    v_since := CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = v_view AND attname = 'stats_since' AND NOT attisdropped)
                    THEN 's.stats_since' ELSE 'NULL::timestamptz' END;
    IF to_regclass(format('%I.pg_stat_statements_info', v_schema)) IS NOT NULL THEN
        EXECUTE format('SELECT stats_reset, dealloc FROM %I.pg_stat_statements_info', v_schema) INTO v_reset, v_dealloc;
    END IF;

    -- Serializes captures (a second sampler in a lease hand-over waits, then sees this one's counters).
    LOCK TABLE monitoring_history.query_counters IN SHARE ROW EXCLUSIVE MODE;
    SELECT captured_at, stats_reset, dealloc INTO v_last FROM monitoring_history.query_captures ORDER BY captured_at DESC LIMIT 1;
    v_first := v_last.captured_at IS NULL;
    v_reset_seen := NOT v_first AND v_reset IS DISTINCT FROM v_last.stats_reset AND v_last.stats_reset IS NOT NULL;
    -- Eviction rounds in this interval (dealloc restarts with a full reset). Unknown
    -- (NULL) for the first capture and without pg_stat_statements_info (before 1.9).
    v_deallocations := CASE WHEN v_first OR v_dealloc IS NULL OR v_last.dealloc IS NULL THEN NULL
                      WHEN v_reset_seen OR v_dealloc < v_last.dealloc THEN v_dealloc
                      ELSE v_dealloc - v_last.dealloc END;

    -- showtext => false: the texts file is read below only for query ids that have no text yet.
    EXECUTE format('
        CREATE TEMP TABLE monitoring_current ON COMMIT DROP AS
        SELECT s.userid, s.queryid, %s AS toplevel, s.calls, s.%I AS total_time_ms, s.rows, s.shared_blks_hit, s.shared_blks_read,
               coalesce(%s > %L::timestamptz, false) AS restarted, s.%I AS max_time_ms, s.%I AS min_time_ms
        FROM %I.pg_stat_statements(false) s
        WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.queryid IS NOT NULL
        ', v_toplevel, v_total, v_since, v_last.captured_at, v_max, v_min, v_schema);
    GET DIAGNOSTICS v_entries = ROW_COUNT;

    CREATE TEMP TABLE monitoring_stored ON COMMIT DROP AS
    WITH signals AS (
        -- Between resets every counter only grows, max only rises and min only falls: any step back is a restart.
        SELECT c.*, p.calls IS NULL AS fresh,
               v_reset_seen OR c.restarted OR coalesce(
                   c.calls < p.calls OR c.total_time_ms < p.total_time_ms OR c.rows < p.rows
                   OR c.shared_blks_hit < p.shared_blks_hit OR c.shared_blks_read < p.shared_blks_read
                   OR c.max_time_ms < p.max_time_ms OR c.min_time_ms > p.min_time_ms, false) AS restart,
               p.calls AS p_calls, p.total_time_ms AS p_total, p.rows AS p_rows, p.shared_blks_hit AS p_hit, p.shared_blks_read AS p_read
        FROM pg_temp.monitoring_current c
        LEFT JOIN monitoring_history.query_counters p
               ON p.userid = c.userid AND p.queryid = c.queryid AND p.toplevel = c.toplevel
    ), deltas AS (
        SELECT queryid, restart AND NOT fresh AS reset,
               CASE WHEN restart OR fresh THEN calls ELSE calls - p_calls END AS calls,
               CASE WHEN restart OR fresh THEN total_time_ms ELSE total_time_ms - p_total END AS total_time_ms,
               CASE WHEN restart OR fresh THEN rows ELSE rows - p_rows END AS rows,
               CASE WHEN restart OR fresh THEN shared_blks_hit ELSE shared_blks_hit - p_hit END AS hit,
               CASE WHEN restart OR fresh THEN shared_blks_read ELSE shared_blks_read - p_read END AS read
        FROM signals
    )
    SELECT queryid, sum(calls)::bigint AS calls, sum(total_time_ms) AS total_time_ms, sum(rows)::bigint AS rows,
           sum(hit)::bigint AS hit, sum(read)::bigint AS read, bool_or(reset) AS reset
    FROM deltas
    WHERE NOT v_first
    GROUP BY queryid
    HAVING sum(calls) > 0
    ORDER BY sum(total_time_ms) DESC, queryid
    LIMIT greatest(p_top, 1);
    GET DIAGNOSTICS v_stored = ROW_COUNT;

    INSERT INTO monitoring_history.query_history (captured_at, queryid, calls, total_time_ms, rows, shared_blks_hit, shared_blks_read, reset)
    SELECT now(), queryid, calls, total_time_ms, rows, hit, read, reset FROM pg_temp.monitoring_stored;

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

    -- Replaced whole at every capture: TRUNCATE leaves no dead rows (a DELETE of every row each interval
    -- was half the table dead, which the advisor's needs_vacuum rightly flagged).
    TRUNCATE monitoring_history.query_counters;
    INSERT INTO monitoring_history.query_counters (userid, queryid, toplevel, calls, total_time_ms, rows, shared_blks_hit, shared_blks_read, max_time_ms, min_time_ms)
    SELECT userid, queryid, toplevel, calls, total_time_ms, rows, shared_blks_hit, shared_blks_read, max_time_ms, min_time_ms FROM pg_temp.monitoring_current;

    INSERT INTO monitoring_history.query_captures (captured_at, interval_start, stats_reset, entries, stored, reset_seen, dealloc, deallocations)
    VALUES (now(), v_last.captured_at, v_reset, v_entries, v_stored, v_reset_seen, v_dealloc, v_deallocations)
    ON CONFLICT (captured_at) DO NOTHING;
    DROP TABLE pg_temp.monitoring_current;
    DROP TABLE pg_temp.monitoring_stored;
    RETURN v_stored;
END
$$;
