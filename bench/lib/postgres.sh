# The bench's own PostgreSQL 15: a fresh cluster under bench/out/pg, run as the postgres OS user,
# bound to 127.0.0.1 on PG_PORT with pg_stat_statements preloaded. Stopped by the EXIT trap.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=postgres
# Only reachable from this machine, and only for the length of one run.
PG_PASSWORD=${PG_PASSWORD:-bench-postgres-password}

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

pg_data_dir() { echo "$OUT_DIR/pg/data"; }
pg_socket_dir() { echo "$OUT_DIR/pg/socket"; }

# Connection string for the .NET processes (Npgsql syntax).
npgsql_connection_string() {
    echo "Host=127.0.0.1;Port=$PG_PORT;Username=$PG_USER;Password=$PG_PASSWORD;Database=$1;Maximum Pool Size=${2:-100}"
}

start_postgres() {
    local data socket
    data=$(pg_data_dir)
    socket=$(pg_socket_dir)
    rm -rf "$OUT_DIR/pg"
    mkdir -p "$data" "$socket"
    chown -R postgres:postgres "$OUT_DIR/pg"
    # The postgres user must be able to walk into bench/out.
    chmod o+x "$OUT_DIR"

    printf '%s\n' "$PG_PASSWORD" >"$OUT_DIR/pg/pwfile"
    chown postgres:postgres "$OUT_DIR/pg/pwfile"
    as_postgres "$PG_BIN/initdb" -D "$data" -U "$PG_USER" --pwfile="$OUT_DIR/pg/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$OUT_DIR/pg/initdb.log" 2>&1 \
        || { cat "$OUT_DIR/pg/initdb.log" >&2; die "initdb failed"; }
    rm -f "$OUT_DIR/pg/pwfile"

    # synchronous_commit=off: a commit does not wait for its WAL flush. This VM's shared disk took
    # between 0.2 and 3.5 ms per fsync while the bench was written (pg_test_fsync; the run's figure
    # is in RESULTS.md); at the slow end it caps the API and the baseline alike at a few hundred
    # commits a second and hides the platform's cost inside the disk's. fsync stays on (a crash loses at most the last moments of a throwaway
    # database, never its consistency). Memory and WAL sizes only make the bulk data load fast.
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$socket'
max_connections = 300
shared_buffers = 512MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
synchronous_commit = off
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
log_min_duration_statement = -1
CONF
    # 9>&-: the server must not inherit (and keep) the machine lock of run.sh.
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$OUT_DIR/pg/server.log" -w -t 60 start >/dev/null 9>&- \
        || { tail -n 30 "$OUT_DIR/pg/server.log" >&2; die "PostgreSQL did not start"; }
    PG_STARTED=1
    note "PostgreSQL $(pg_server_version) on 127.0.0.1:$PG_PORT, data $data"
}

stop_postgres() {
    if [ "${PG_STARTED:-0}" = 1 ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$(pg_data_dir)" -m fast -w -t 60 stop >/dev/null 2>&1 || true
        PG_STARTED=0
    fi
}

# psql as the superuser over TCP (the same path the .NET processes use); extra arguments follow.
psql_db() {
    local db=$1
    shift
    PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$db" -v ON_ERROR_STOP=1 "$@"
}

# One value from one query.
psql_value() { psql_db "$1" -At -c "$2"; }

recreate_database() {
    PGOPTIONS='-c client_min_messages=warning' psql_db postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
}

# Commits per second one 8 kB fdatasync allows on the disk of bench/out (the WAL's disk).
disk_fdatasync_rate() {
    local dir=$OUT_DIR/fsync-test
    mkdir -p "$dir"
    "$PG_BIN/pg_test_fsync" -s 1 -f "$dir/probe" 2>/dev/null | awk '$1 == "fdatasync" && $2 ~ /^[0-9]/ { printf "%.0f ops/s (%.0f µs/op)\n", $2, $4; exit }'
    rm -rf "$dir"
}

pg_server_version() { psql_value postgres "SHOW server_version"; }

# The schema pg_stat_statements is installed in (a migrated database moves it to extensions), quoted.
statement_stats_schema() {
    psql_value "$1" "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'"
}

# pg_stat_statements around a measured run: reset before, the top statements by total time after.
statement_stats_reset() { psql_value "$1" "SELECT $(statement_stats_schema "$1").pg_stat_statements_reset()" >/dev/null; }

# statement_stats_top <database> <label>: writes bench/out/statements/<label>.txt, prints the top 3 as markdown rows.
statement_stats_top() {
    local db=$1 label=$2 file=$OUT_DIR/statements/$2.txt pgss
    pgss=$(statement_stats_schema "$db")
    mkdir -p "$OUT_DIR/statements"
    psql_db "$db" -c "SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
            rows, shared_blks_hit + shared_blks_read AS blocks, left(regexp_replace(query, '\s+', ' ', 'g'), 300) AS query
        FROM $pgss.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT 15" >"$file"
    psql_value "$db" "SELECT '| ' || calls || ' | ' || round(mean_exec_time::numeric, 2) || ' | ' || round(total_exec_time::numeric / 1000, 1)
            || ' | \`' || replace(left(regexp_replace(query, '\s+', ' ', 'g'), 140), '|', '\|') || '…\` |'
        FROM $pgss.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT 3"
}
