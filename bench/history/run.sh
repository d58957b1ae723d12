#!/usr/bin/env bash
# Monitoring history at scale (issue 17): what one history capture costs with 1,000 tables and 5,000
# distinct statements, and how much 14 days of history take. Starts a PostgreSQL of its own (temporary
# folder, free port), applies the real migrations with the migrator, runs a workload of TABLES x 5
# distinct statements between captures, times the sampler's statements on the server, then fills
# 14 days of history at the default settings (5-minute interval, 50 statements per interval, capacity
# samples every 6 hours) and measures schema monitoring_history.
# Usage: bench/history/run.sh [tables]   (default 1000; build first: dotnet build Migrations)
set -euo pipefail
cd "$(dirname "$0")/../.."
TABLES="${1:-1000}"
CAPTURES="${CAPTURES:-5}"
TOP="${TOP:-50}"                # Monitoring:QueryHistoryTopStatements
CAPACITY_HOURS="${CAPACITY_HOURS:-6}"  # Monitoring:CapacitySampleInterval
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
work=$(mktemp -d /tmp/wedsync-history-bench.XXXXXX)
chown postgres "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pg() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
pg "$PG_BIN/initdb" -D "$work/data" -A trust -U postgres >/dev/null
pg "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=10000 -c pg_stat_statements.track=top" start >/dev/null
trap 'pg "$PG_BIN/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
"${psql[@]}" -c "CREATE DATABASE wedsync" postgres
ConnectionStrings__wedsync="Host=127.0.0.1;Port=$port;Username=postgres;Database=wedsync" \
    DOTNET_ENVIRONMENT=Production dotnet Migrations/bin/Debug/net10.0/WedSync.Migrations.dll up >"$work/migrator.log" 2>&1 \
    || { cat "$work/migrator.log"; exit 1; }
db=("${psql[@]}" -d wedsync)

"${db[@]}" -c "DO \$\$ BEGIN FOR i IN 1..$TABLES LOOP
    EXECUTE format('CREATE TABLE bench_t%s (id serial PRIMARY KEY, v int NOT NULL, note text)', i);
    EXECUTE format('CREATE INDEX ON bench_t%s (v)', i);
    EXECUTE format('INSERT INTO bench_t%s (v, note) SELECT g, ''n'' || g FROM generate_series(1, 20) g', i);
END LOOP; END \$\$"
# Five distinct statements per table: TABLES x 5 query ids.
python3 - "$TABLES" >"$work/workload.sql" <<'PY'
import sys
for i in range(1, int(sys.argv[1]) + 1):
    print(f"SELECT * FROM bench_t{i} WHERE id = 1;")
    print(f"SELECT count(*) FROM bench_t{i} WHERE v > 5;")
    print(f"UPDATE bench_t{i} SET note = 'x' WHERE id = 2;")
    print(f"INSERT INTO bench_t{i} (v) VALUES (1);")
    print(f"SELECT max(v), min(note) FROM bench_t{i};")
PY
"${db[@]}" -f "$work/workload.sql" >/dev/null
"${db[@]}" -c "SELECT monitoring_history.capture_queries($TOP)" >/dev/null   # baseline

times_q=(); times_c=()
for n in $(seq 1 "$CAPTURES"); do
    "${db[@]}" -f "$work/workload.sql" >/dev/null
    out=$("${db[@]}" -At -c "\\timing on" -c "SELECT monitoring_history.maintain_query_partitions(interval '14 days', 3)" -c "SELECT monitoring_history.capture_queries($TOP)" -c "SELECT monitoring_history.capture_capacity(NULL, interval '90 days')")
    mapfile -t ms < <(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    times_q+=("$(python3 -c "print(${ms[0]} + ${ms[1]})")"); times_c+=("${ms[2]}")
done
entries=$("${db[@]}" -At -c "SELECT entries FROM monitoring_history.query_captures ORDER BY captured_at DESC LIMIT 1")
stored=$("${db[@]}" -At -c "SELECT stored FROM monitoring_history.query_captures ORDER BY captured_at DESC LIMIT 1")

# 14 days at the defaults: 288 captures a day of TOP statements, a capacity sample every CAPACITY_HOURS.
"${db[@]}" -c "
DO \$\$ BEGIN FOR d IN 1..14 LOOP
    IF to_regclass(format('monitoring_history.query_history_p%s', to_char(current_date - d, 'YYYYMMDD'))) IS NULL THEN
        EXECUTE format('CREATE TABLE monitoring_history.%I PARTITION OF monitoring_history.query_history FOR VALUES FROM (%L) TO (%L)',
            'query_history_p' || to_char(current_date - d, 'YYYYMMDD'), ((current_date - d)::timestamp AT TIME ZONE 'UTC'), ((current_date - d + 1)::timestamp AT TIME ZONE 'UTC'));
    END IF; END LOOP; END \$\$;
INSERT INTO monitoring_history.query_captures (captured_at, interval_start, entries, stored)
SELECT t, t - interval '5 min', $TABLES * 5, $TOP FROM generate_series(now() - interval '14 days', now() - interval '10 min', interval '5 min') t;
INSERT INTO monitoring_history.query_history
SELECT t, q.queryid, 10 + (random() * 100)::int, random() * 50, 10, 100, 3
FROM generate_series(now() - interval '14 days', now() - interval '10 min', interval '5 min') t
CROSS JOIN LATERAL (SELECT queryid FROM monitoring_history.query_counters ORDER BY random() LIMIT $TOP) q;
INSERT INTO monitoring_history.capacity_samples
SELECT t, s.kind, s.object_name, s.value, s.max_value
FROM generate_series(now() - interval '14 days', now() - interval '$CAPACITY_HOURS hours', interval '$CAPACITY_HOURS hours') t
CROSS JOIN (SELECT DISTINCT ON (kind, object_name) * FROM monitoring_history.capacity_samples) s
ON CONFLICT DO NOTHING;
INSERT INTO monitoring_history.object_sizes
SELECT day - d, object_name, kind, bytes, measured_at - d * interval '1 day'
FROM monitoring_history.object_sizes CROSS JOIN generate_series(1, 13) d ON CONFLICT DO NOTHING;" >/dev/null
"${db[@]}" -c "VACUUM ANALYZE" >/dev/null
sizes=$("${db[@]}" -At -F ' ' -c "
SELECT coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE 'query_history%'), 0),
       coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname IN ('capacity_samples', 'object_sizes')), 0),
       sum(pg_total_relation_size(c.oid))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'monitoring_history' AND c.relkind = 'r'")
rows=$("${db[@]}" -At -c "SELECT (SELECT count(*) FROM monitoring_history.query_history) || ' history rows, ' || (SELECT count(*) FROM monitoring_history.capacity_samples) || ' capacity samples, ' || (SELECT count(*) FROM monitoring_history.object_sizes) || ' daily sizes'")
read -r qbytes cbytes total <<<"$sizes"
python3 - "$TABLES" "$entries" "$stored" "$qbytes" "$cbytes" "$total" "$rows" "${times_q[*]}" "${times_c[*]}" "$CAPACITY_HOURS" <<'PY'
import sys, statistics
tables, entries, stored, qb, cb, total, rows, tq, tc = sys.argv[1:10]
tq = [float(x) for x in tq.split()]; tc = [float(x) for x in tc.split()]
mq, mc = statistics.median(tq), statistics.median(tc)
print(f"tables={tables} pg_stat_statements entries={entries} stored per capture={stored}")
print(f"query capture (partitions + deltas) per interval: median {mq:.1f} ms (runs {', '.join(f'{x:.0f}' for x in tq)})"
      f" = {100 * mq / 300000:.3f} % of a core at the 5-minute default")
print(f"capacity capture: median {mc:.1f} ms (runs {', '.join(f'{x:.0f}' for x in tc)})"
      f" = {100 * mc / (int(sys.argv[10]) * 3600000):.4f} % of a core at one capacity capture per {sys.argv[10]} h")
print(f"14 days: {rows}; query history {int(qb)/1e6:.1f} MB, capacity {int(cb)/1e6:.1f} MB, schema total {int(total)/1e6:.1f} MB")
PY
