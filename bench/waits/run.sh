#!/usr/bin/env bash
# Wait-event sampling cost (issue 22): CPU of the API process and of the PostgreSQL server over a
# window, with wait sampling off, on with an idle database, and on with ACTIVE sessions running
# (pg_sleep, so each sample reads that many rows). Starts a PostgreSQL of its own (temporary folder,
# free port), applies the real migrations, then runs the built API once per mode; every other sampler
# keeps its defaults, so the difference between the modes is the wait sampler's cost.
# Usage: bench/waits/run.sh [seconds] [active]   (default 60 s, 8 sessions; build first: dotnet build WedSync.Aspire.sln)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_WINDOW="${1:-60}"
ACTIVE="${2:-8}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
work=$(mktemp -d /tmp/wedsync-waits-bench.XXXXXX)
chown postgres "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
pg() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
pg "$PG_BIN/initdb" -D "$work/data" -A trust -U postgres >/dev/null
pg "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/log" -w -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" start >/dev/null
api=""
cleanup() {
    [ -n "$api" ] && kill "$api" 2>/dev/null && wait "$api" 2>/dev/null || true
    jobs -p | xargs -r kill 2>/dev/null || true
    pg "$PG_BIN/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
"${psql[@]}" -c "CREATE DATABASE wedsync" postgres
cs="Host=127.0.0.1;Port=$port;Username=postgres;Database=wedsync"
ConnectionStrings__wedsync="$cs" DOTNET_ENVIRONMENT=Production dotnet Migrations/bin/Debug/net10.0/WedSync.Migrations.dll up >"$work/migrator.log" 2>&1 \
    || { cat "$work/migrator.log"; exit 1; }
db=("${psql[@]}" -d wedsync)
postmaster=$(head -1 "$work/data/postmaster.pid")
ticks=$(getconf CLK_TCK)

# utime + stime of one process, and of every child of the postmaster, in clock ticks.
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
server_cpu() { local sum=0 p; for p in $(ps --ppid "$postmaster" -o pid=); do sum=$((sum + $(cpu_of "$p"))); done; echo "$sum"; }

measure() { # mode enabled active
    local mode=$1 enabled=$2 active=$3 aport
    aport=$(free_port)
    ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$aport" \
    Auth__SigningKey="$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 48)" \
    ConnectionStrings__wedsync="$cs" Monitoring__WaitSamplingEnabled="$enabled" \
        bash -c 'cd Api && exec dotnet bin/Debug/net10.0/WedSync.Api.dll' >"$work/api-$mode.log" 2>&1 &
    api=$!
    for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$aport/health" >/dev/null && break; sleep 0.5; done
    curl -sf "http://127.0.0.1:$aport/health" >/dev/null || { cat "$work/api-$mode.log"; exit 1; }
    local sleepers=()
    for _ in $(seq 1 "$active"); do "${db[@]}" -c "SELECT pg_sleep($SECONDS_WINDOW + 40)" >/dev/null 2>&1 & sleepers+=($!); done
    sleep 20   # start-up work (JIT, first samples, lease) is not the steady cost
    "${db[@]}" -c "SELECT extensions.pg_stat_statements_reset()" >/dev/null
    local a0 s0 a1 s1 stmt
    a0=$(cpu_of "$api"); s0=$(server_cpu)
    sleep "$SECONDS_WINDOW"
    a1=$(cpu_of "$api"); s1=$(server_cpu)
    stmt=$("${db[@]}" -At -F ' ' -c "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0) FROM extensions.pg_stat_statements
        WHERE (query LIKE '%tagged_application_name%FROM pg_stat_activity a%' OR query LIKE '%INSERT INTO monitoring_history.wait_samples%'
           OR query LIKE '%monitoring_sampler_lease%') AND query NOT LIKE '%pg_stat_statements%'")
    local rows; rows=$("${db[@]}" -At -c "SELECT count(*) || ' rows, ' || coalesce(sum(samples), 0) || ' samples' FROM monitoring_history.wait_samples")
    kill "$api"; wait "$api" 2>/dev/null || true; api=""
    kill "${sleepers[@]}" 2>/dev/null || true; wait "${sleepers[@]}" 2>/dev/null || true
    "${db[@]}" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND pid <> pg_backend_pid()" >/dev/null
    python3 - "$mode" "$a0" "$a1" "$s0" "$s1" "$ticks" "$SECONDS_WINDOW" "$stmt" "$rows" <<'PY'
import sys
mode, a0, a1, s0, s1, ticks, window, stmt, rows = sys.argv[1], *map(float, sys.argv[2:8]), sys.argv[8], sys.argv[9]
calls, exec_ms = stmt.split()
api = 100 * (a1 - a0) / ticks / window
server = 100 * (s1 - s0) / ticks / window
print(f"| {mode} | {api:.2f} % | {server:.2f} % | {int(float(calls))} | {float(exec_ms):.0f} ms ({100 * float(exec_ms) / 1000 / window:.3f} %) | {rows} |")
PY
}

echo "window ${SECONDS_WINDOW} s, ${ACTIVE} active sessions in the busy mode, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| mode | API process CPU (% of a core) | PostgreSQL CPU (% of a core) | wait-sampler statements | their server exec time (% of a core) | wait_samples after |"
echo "|---|---|---|---|---|---|"
measure "off, idle" false 0
measure "on, idle" true 0
measure "off, $ACTIVE active" false "$ACTIVE"
measure "on, $ACTIVE active" true "$ACTIVE"
