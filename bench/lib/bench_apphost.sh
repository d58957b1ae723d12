# `dotnet run --project AppHost` until the API answers /health with 200, on a fresh local
# PostgreSQL data folder (so initdb, the migrations and the demo data are all inside the time).

# The API's address under the AppHost: Api/Properties/launchSettings.json, profile http, which the
# AppHost proxies on the same port.
apphost_api_health_url() {
    local url
    url=$(jq -r '.profiles.http.applicationUrl' "$REPO_DIR/Api/Properties/launchSettings.json" | cut -d';' -f1)
    echo "${url%/}/health"
}

# Ports the AppHost's http profile binds (dashboard, OTLP, resource service) and the API's.
apphost_ports_free() {
    local port
    for port in 15080 19080 20080 "$(apphost_api_health_url | sed -E 's|.*:([0-9]+)/.*|\1|')"; do
        port_is_free "$port" || { APPHOST_BUSY_PORT=$port; return 1; }
    done
}

# A process and all its descendants, children first.
process_tree() {
    local child
    for child in $(pgrep -P "$1" || true); do process_tree "$child"; done
    echo "$1"
}

# Processes this run started outside the `dotnet run` process group: DCP (it watches the AppHost's
# pid) with what it launched, and anything still running from this checkout's Api/Migrations or on
# the run's data folder. Only those pids are signalled.
apphost_leftovers() {
    local apphost_pid=$1 data_path=$2 dcp
    for dcp in $(pgrep -f -- "dcp start-apiserver --monitor $apphost_pid( |$)" || true); do process_tree "$dcp"; done
    pgrep -f -- "$REPO_DIR/Api/|$REPO_DIR/Migrations/|$data_path" || true
}

# Stops what the run started: SIGTERM to the AppHost (it stops its resources and DCP), then the
# process group of the `dotnet run` and the leftovers, then the data folder. Not SIGINT: a command a
# script starts with & inherits SIGINT ignored (no job control), so the AppHost never sees it and the
# stop waited out its 90 s (measured: SIGTERM stops it in 2 s).
stop_apphost_run() {
    local run_pid=$1 data_path=$2 apphost pids stop_started
    stop_started=$(date +%s)
    # `dotnet run` may have build nodes as children too: the AppHost is the one run from its bin folder.
    apphost=$(pgrep -P "$run_pid" -f "AppHost/bin/" | head -n 1 || true)
    [ -z "$apphost" ] || kill -TERM "$apphost" 2>/dev/null || true
    for _ in $(seq 1 180); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.5; done
    kill -TERM -- "-$run_pid" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
        pids=$(apphost_leftovers "${apphost:-none}" "$data_path")
        [ -n "$pids" ] || break
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        sleep 1
    done
    pids=$(apphost_leftovers "${apphost:-none}" "$data_path")
    # shellcheck disable=SC2086
    [ -z "$pids" ] || { note "killing what did not stop: $pids"; kill -KILL $pids 2>/dev/null || true; }
    rm -rf "$data_path"
    note "AppHost stopped in $(( $(date +%s) - stop_started )) s"
}

# Prefixes every line with the seconds since the epoch, so the log can be split into phases.
timestamp_lines() {
    local line
    while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done
}

# remember_phase <name> <pattern>: the first time a process matching pattern is seen (pgrep -f).
declare -A APPHOST_PHASES=()
remember_phase() {
    [ -z "${APPHOST_PHASES[$1]:-}" ] || return 0
    pgrep -f -- "$2" >/dev/null 2>&1 || return 0
    APPHOST_PHASES[$1]=$(date +%s.%N)
}

# The phases of one start, seconds after the command: from the AppHost's log and from processes.
phase_table() {
    local started=$1 log=$2 name at
    log_phase() { awk -v s="$started" -v m="$2" 'index($0, m) { printf "%.1f", $1 - s; exit }' "$log"; }
    printf '| phase | seconds after the command |\n|---|---|\n'
    printf '| AppHost process running (build check done) | %s |\n' "$(log_phase x 'Distributed application starting.')"
    printf '| dashboard listening | %s |\n' "$(log_phase x 'Now listening on:')"
    printf '| resources created ("Distributed application started") | %s |\n' "$(log_phase x 'Distributed application started.')"
    for name in "initdb running" "PostgreSQL server running" "migrator running" "migrator gone (finished)" "API process running"; do
        at=${APPHOST_PHASES[$name]:-}
        printf '| %s | %s |\n' "$name" "$([ -n "$at" ] && awk -v s="$started" -v a="$at" 'BEGIN { printf "%.1f", a - s }' || echo "not seen (shorter than a poll)")"
    done
    printf '| API healthy | %s |\n' "$(awk -v s="$started" -v e="$APPHOST_HEALTHY_AT" 'BEGIN { printf "%.1f", e - s }')"
}

# time_apphost_to_healthy <label> [extra dotnet run arguments]: sets APPHOST_SECONDS, APPHOST_PHASE_TABLE
# and APPHOST_COMMAND; fails when the API was not healthy in time.
time_apphost_to_healthy() {
    local label=$1
    shift
    local data_path=$OUT_DIR/apphost-$label-pg url started run_pid log=$OUT_DIR/logs/apphost-$label.log
    APPHOST_SECONDS=""
    url=$(apphost_api_health_url)
    rm -rf "$data_path"
    APPHOST_COMMAND="dotnet run --project AppHost -c Release $* -- --Postgres:Mode=local --Postgres:DataPath=${data_path#"$REPO_DIR/"}"
    started=$(date +%s.%N)
    APPHOST_PHASES=()
    (cd "$REPO_DIR" && exec setsid dotnet run --project AppHost -c Release "$@" -- --Postgres:Mode=local --Postgres:DataPath="$data_path") \
        > >(timestamp_lines >"$log") 2>&1 9>&- &
    run_pid=$!
    while kill -0 "$run_pid" 2>/dev/null; do
        remember_phase "initdb running" "initdb.*$data_path"
        remember_phase "PostgreSQL server running" "bin/postgres -D $data_path"
        remember_phase "migrator running" "$REPO_DIR/Migrations/"
        if [ -n "${APPHOST_PHASES["migrator running"]:-}" ] && [ -z "${APPHOST_PHASES["migrator gone (finished)"]:-}" ] \
            && ! pgrep -f -- "$REPO_DIR/Migrations/" >/dev/null 2>&1; then
            APPHOST_PHASES["migrator gone (finished)"]=$(date +%s.%N)
        fi
        remember_phase "API process running" "$REPO_DIR/Api/"
        if [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")" = 200 ]; then
            APPHOST_HEALTHY_AT=$(date +%s.%N)
            APPHOST_SECONDS=$(awk -v s="$started" -v e="$APPHOST_HEALTHY_AT" 'BEGIN { printf "%.2f", e - s }')
            break
        fi
        if [ "$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { print int(e - s) }')" -ge "$APPHOST_TIMEOUT" ]; then
            break
        fi
        sleep 0.25
    done
    stop_apphost_run "$run_pid" "$data_path"
    [ -z "$APPHOST_SECONDS" ] || APPHOST_PHASE_TABLE=$(phase_table "$started" "$log")
    [ -n "$APPHOST_SECONDS" ] || { tail -n 30 "$log" >&2; note "AppHost ($label): API not healthy within ${APPHOST_TIMEOUT}s (log $log)"; return 1; }
    note "AppHost ($label): API healthy after $APPHOST_SECONDS s"
}

benchmark_apphost_startup() {
    log "benchmark: dotnet run --project AppHost to API healthy"
    section 70-apphost "AppHost: \`dotnet run\` to API healthy"
    local url
    url=$(apphost_api_health_url)
    if ! apphost_ports_free; then
        record_result "dotnet run --project AppHost → API healthy (after the build)" "—" "≤ 20 s" "not measured: port $APPHOST_BUSY_PORT busy"
        say "Not measured: port $APPHOST_BUSY_PORT, which the AppHost's http profile needs, was taken by another process."
        return 0
    fi
    local with_check="" no_build=""
    if time_apphost_to_healthy run; then
        with_check=$APPHOST_SECONDS
        record_result "dotnet run --project AppHost → API healthy (after the build)" "$(fmt "$with_check" 1) s" "≤ 20 s" "$(verdict_le "$with_check" 20)"
    else
        record_result "dotnet run --project AppHost → API healthy (after the build)" "> $APPHOST_TIMEOUT s" "≤ 20 s" "MISS (not healthy; see bench/out/logs/apphost-run.log)"
    fi
    local run_cmd=$APPHOST_COMMAND run_phases=${APPHOST_PHASE_TABLE:-} no_build_phases=""
    if time_apphost_to_healthy no-build --no-build; then
        no_build=$APPHOST_SECONDS
        no_build_phases=$APPHOST_PHASE_TABLE
    fi
    local no_build_cmd=$APPHOST_COMMAND

    say "From the start of the command until \`GET $url\` (the API's address under the AppHost, from"
    say "\`Api/Properties/launchSettings.json\`, proxied by the AppHost) first answers 200, polled every 0.25 s."
    say "Each run starts from an empty \`Postgres:DataPath\`, so initdb, the migrator and the Development demo data"
    say "are inside the time; the Release build was done before (\`dotnet run\` still checks that it is up to date)."
    say ""
    say "- \`dotnet run\` (build up to date): **${with_check:-not healthy} s**"
    say "- \`dotnet run --no-build\`: ${no_build:-not healthy} s (the difference is the up-to-date check of the build)"
    say ""
    say "Where the time goes (markers of the AppHost's log, and the first moment \`pgrep -f\` saw each process; polled every 0.25 s):"
    say ""
    if [ -n "$run_phases" ]; then
        say "\`dotnet run\`:"
        say ""
        say "$run_phases"
        say ""
    fi
    if [ -n "$no_build_phases" ]; then
        say "\`dotnet run --no-build\`:"
        say ""
        say "$no_build_phases"
        say ""
    fi
    say_code "$run_cmd
$no_build_cmd" bash
}
