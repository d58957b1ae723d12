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

# Stops what the run started: SIGINT to the AppHost (it stops its resources), then the whole
# process group of the `dotnet run` if anything is left, then a postgres still on our data folder.
stop_apphost_run() {
    local run_pid=$1 data_path=$2 child
    child=$(pgrep -P "$run_pid" | head -n 1 || true)
    [ -z "$child" ] || kill -INT "$child" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.5; done
    kill -TERM -- "-$run_pid" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
    local leftover
    for leftover in $(pgrep -f -- "$data_path" || true); do
        kill -TERM "$leftover" 2>/dev/null || true
    done
    sleep 1
    rm -rf "$data_path"
}

# time_apphost_to_healthy <label> [extra dotnet run arguments]: prints seconds, or fails.
time_apphost_to_healthy() {
    local label=$1
    shift
    local data_path=$OUT_DIR/apphost-$label-pg url started run_pid elapsed="" log=$OUT_DIR/logs/apphost-$label.log
    url=$(apphost_api_health_url)
    rm -rf "$data_path"
    APPHOST_COMMAND="dotnet run --project AppHost -c Release $* -- --Postgres:Mode=local --Postgres:DataPath=${data_path#"$REPO_DIR/"}"
    started=$(date +%s.%N)
    (cd "$REPO_DIR" && exec setsid dotnet run --project AppHost -c Release "$@" -- --Postgres:Mode=local --Postgres:DataPath="$data_path") >"$log" 2>&1 &
    run_pid=$!
    while kill -0 "$run_pid" 2>/dev/null; do
        if [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url")" = 200 ]; then
            elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
            break
        fi
        if [ "$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { print int(e - s) }')" -ge "$APPHOST_TIMEOUT" ]; then
            break
        fi
        sleep 0.25
    done
    stop_apphost_run "$run_pid" "$data_path"
    [ -n "$elapsed" ] || { tail -n 30 "$log" >&2; note "AppHost ($label): API not healthy within ${APPHOST_TIMEOUT}s (log $log)"; return 1; }
    echo "$elapsed"
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
    local with_check no_build
    if with_check=$(time_apphost_to_healthy run); then
        record_result "dotnet run --project AppHost → API healthy (after the build)" "$(fmt "$with_check" 1) s" "≤ 20 s" "$(verdict_le "$with_check" 20)"
    else
        record_result "dotnet run --project AppHost → API healthy (after the build)" "> $APPHOST_TIMEOUT s" "≤ 20 s" "MISS (not healthy; see bench/out/logs/apphost-run.log)"
    fi
    local run_cmd=$APPHOST_COMMAND
    no_build=$(time_apphost_to_healthy no-build --no-build) || no_build=""
    local no_build_cmd=$APPHOST_COMMAND

    say "From the start of the command until \`GET $url\` (the API's address under the AppHost, from"
    say "\`Api/Properties/launchSettings.json\`, proxied by the AppHost) first answers 200, polled every 0.25 s."
    say "Each run starts from an empty \`Postgres:DataPath\`, so initdb, the migrator and the Development demo data"
    say "are inside the time; the Release build was done before (\`dotnet run\` still checks that it is up to date)."
    say ""
    say "- \`dotnet run\` (build up to date): **${with_check:-not healthy} s**"
    say "- \`dotnet run --no-build\`: ${no_build:-not healthy} s (the difference is the up-to-date check of the build)"
    say ""
    say_code "$run_cmd
$no_build_cmd" bash
}
