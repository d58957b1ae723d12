# The API and the baseline as plain processes (Release builds, Production environment, no
# telemetry exporter), each on its own port, and the probes the benchmarks use.
# Both trust X-Forwarded-For from loopback, as behind a container platform's ingress (the API through
# its explicit Api:ForwardedHeaders:KnownNetworks, the baseline through ASP.NET Core's
# ASPNETCORE_FORWARDEDHEADERS_ENABLED): wrk runs on one host, and the per-IP rule (5 referrals per
# client address per day) would otherwise reject all but the first five requests of the run.

API_DLL=Api/bin/Release/net10.0/WedSync.Api.dll
BASELINE_DLL=bench/Baseline/bin/Release/net10.0/WedSync.Bench.Baseline.dll
MIGRATOR_DLL=Migrations/bin/Release/net10.0/WedSync.Migrations.dll

# The bench's own token settings: at least 32 bytes (AuthOptionsValidator), valid for this run only.
AUTH_ISSUER=https://bench.wedsync.test
AUTH_AUDIENCE=wedsync-api
AUTH_SIGNING_KEY=${AUTH_SIGNING_KEY:-bench-signing-key-$(date +%s)-0123456789abcdefghijklmnop}

declare -A PROCESS_PIDS=()

# mint_tokens <roles>: user ids on stdin, one bearer token per line on stdout.
mint_tokens() {
    python3 "$BENCH_DIR/tools/mint_tokens.py" --key "$AUTH_SIGNING_KEY" --issuer "$AUTH_ISSUER" --audience "$AUTH_AUDIENCE" --roles "$1"
}

# start_dotnet_process <name> <dll> <port> <database> [VAR=value ...]
start_dotnet_process() {
    local name=$1 dll=$2 port=$3 database=$4
    shift 4
    port_is_free "$port" || die "port $port is taken; set BENCH_API_PORT / BENCH_BASELINE_PORT"
    (
        cd "$REPO_DIR" || exit
        # The build output folder is the content root, as in a deployed container: the app's own
        # appsettings.json applies (its log levels above all: without it every request and every SQL
        # command is a console line at Information, which the API's throughput paid for until issue 16).
        exec env ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
            ASPNETCORE_CONTENTROOT="$REPO_DIR/$(dirname "$dll")" \
            ASPNETCORE_URLS="http://127.0.0.1:$port" \
            OTEL_EXPORTER_OTLP_ENDPOINT= \
            ConnectionStrings__wedsync="$(npgsql_connection_string "$database")" \
            "$@" dotnet "$dll"
    ) >"$OUT_DIR/logs/$name.log" 2>&1 9>&- &
    PROCESS_PIDS[$name]=$!
    wait_for_health "$name" "http://127.0.0.1:$port/health" 90
}

start_api() {
    # BENCH_API_EXTRA_ENV="A=1 B=2": more settings for the API, split into words on purpose.
    # shellcheck disable=SC2086
    start_dotnet_process "api-$2" "$API_DLL" "$1" "$2" \
        Auth__SigningKey="$AUTH_SIGNING_KEY" Auth__Issuer="$AUTH_ISSUER" Auth__Audience="$AUTH_AUDIENCE" \
        Api__ForwardedHeaders__KnownNetworks__0=127.0.0.0/8 \
        ${BENCH_API_EXTRA_ENV:-}
    API_PID=${PROCESS_PIDS[api-$2]}
    API_URL="http://127.0.0.1:$1"
}

start_baseline() {
    start_dotnet_process baseline "$BASELINE_DLL" "$1" "$2" ASPNETCORE_FORWARDEDHEADERS_ENABLED=true
    BASELINE_URL="http://127.0.0.1:$1"
}

wait_for_health() {
    local name=$1 url=$2 timeout=$3 started
    started=$(date +%s)
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; do
        if ! kill -0 "${PROCESS_PIDS[$name]}" 2>/dev/null; then
            tail -n 40 "$OUT_DIR/logs/$name.log" >&2
            die "$name exited before it was healthy (log: $OUT_DIR/logs/$name.log)"
        fi
        [ $(( $(date +%s) - started )) -lt "$timeout" ] || die "$name not healthy after ${timeout}s at $url"
        sleep 0.5
    done
    note "$name healthy at ${url%/health} (pid ${PROCESS_PIDS[$name]})"
}

stop_process() {
    local pid=${PROCESS_PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "PROCESS_PIDS[$1]"
}

stop_all_processes() {
    local name
    for name in "${!PROCESS_PIDS[@]}"; do stop_process "$name"; done
}

# HTTP status of one request: http_status <method> <url> [token] [json-body]
http_status() {
    local args=(-s -o "$OUT_DIR/logs/last-probe.body" -w '%{http_code}' -X "$1" "$2")
    [ -z "${3:-}" ] || args+=(-H "Authorization: Bearer $3")
    [ -z "${4:-}" ] || args+=(-H 'Content-Type: application/json' --data "$4")
    curl "${args[@]}"
}

# An endpoint is there unless the API answers 404 for its route. Sets PROBE_STATUS.
endpoint_available() {
    PROBE_STATUS=$(http_status "$@")
    [ "$PROBE_STATUS" != 404 ]
}

# Resident memory of a process in MB: vm_mb <pid> VmRSS|VmHWM
vm_mb() { awk -v key="$2:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# CPU seconds (user + system) the process has used so far.
cpu_seconds() {
    local ticks
    ticks=$(getconf CLK_TCK)
    # Fields 14 and 15 of /proc/<pid>/stat, counted after the command name in parentheses.
    awk -v hz="$ticks" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / hz }' "/proc/$1/stat"
}
