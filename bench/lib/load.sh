# HTTP load with wrk (bench/load/requests.lua) and resident-memory sampling of the process under load.

WRK_THREADS=${WRK_THREADS:-2}
WRK_RUNS=0

# run_wrk <label> <url> <connections> <duration> <tokens-file|-> [GET|POST] [body-kind]
# Writes $OUT_DIR/load/<label>.json (see requests.lua) and sets WRK_COMMAND, WRK_JSON.
run_wrk() {
    local label=$1 url=$2 connections=$3 duration=$4 tokens=$5 method=${6:-GET} body=${7:-}
    mkdir -p "$OUT_DIR/load"
    WRK_JSON="$OUT_DIR/load/$label.json"
    [ "$tokens" != - ] || tokens=""
    # Each run gets its own block of 500,000 client addresses (4,194,304 in 100.64.0.0/10).
    WRK_RUNS=$((WRK_RUNS + 1))
    # BENCH_HEADER (the caller's environment): one more request header, see requests.lua.
    WRK_COMMAND="${BENCH_HEADER:+BENCH_HEADER='$BENCH_HEADER' }BENCH_METHOD=$method BENCH_BODY=$body BENCH_TOKENS=${tokens#"$REPO_DIR/"} wrk -t$WRK_THREADS -c$connections -d$duration --timeout 10s -s bench/load/requests.lua '$url'"
    env BENCH_HEADER="${BENCH_HEADER:-}" BENCH_METHOD="$method" BENCH_BODY="$body" BENCH_TOKENS="$tokens" BENCH_THREADS="$WRK_THREADS" \
        BENCH_RUN_ID="$label-$(date +%s)" BENCH_IP_BASE=$(( (WRK_RUNS % 8) * 500000 )) WRK_RESULT="$WRK_JSON" \
        wrk -t"$WRK_THREADS" -c"$connections" -d"$duration" --timeout 10s -s "$BENCH_DIR/load/requests.lua" "$url" \
        >"$OUT_DIR/load/$label.txt" 2>&1 || { cat "$OUT_DIR/load/$label.txt" >&2; die "wrk failed ($label)"; }
    [ -s "$WRK_JSON" ] || die "wrk wrote no result for $label"
    note "$label: $(jq -r '"\(.rps) req/s, p50 \(.latency_ms.p50) ms, p95 \(.latency_ms.p95) ms, p99 \(.latency_ms.p99) ms, statuses \(.statuses)"' "$WRK_JSON")"
}

# Reads a field of the last (or a named) wrk result: wrk_field <jq-path> [json-file]
wrk_field() { jq -r "$1" "${2:-$WRK_JSON}"; }

# Share of responses that were 2xx, in percent.
wrk_success_pct() {
    jq -r '[.statuses | to_entries[] | select(.key | startswith("2")) | .value] | add // 0 as $ok
           | ([.statuses[]] | add // 0) as $all | if $all == 0 then 0 else (100 * $ok / $all) end' "${1:-$WRK_JSON}"
}

# A markdown line with the figures of a wrk result.
wrk_summary_line() {
    jq -r '"\(.requests) requests in \(.duration_s) s: **\(.rps) req/s**; latency ms p50 \(.latency_ms.p50), p90 \(.latency_ms.p90), p95 \(.latency_ms.p95), p99 \(.latency_ms.p99), max \(.latency_ms.max); statuses \(.statuses | tostring); socket errors \(.errors | del(.status) | tostring)"' "${1:-$WRK_JSON}"
}

# Samples VmRSS of a process every 0.5 s in the background until stop_rss_sampler.
start_rss_sampler() {
    local pid=$1
    RSS_SAMPLES="$OUT_DIR/load/rss-$2.tsv"
    mkdir -p "$OUT_DIR/load"
    : >"$RSS_SAMPLES"
    (
        while kill -0 "$pid" 2>/dev/null; do
            printf '%s\t%s\n' "$(date +%s.%N)" "$(vm_mb "$pid" VmRSS)" >>"$RSS_SAMPLES"
            sleep 0.5
        done
    ) &
    RSS_SAMPLER_PID=$!
}

# Stops the sampler and prints the highest sample in MB.
stop_rss_sampler() {
    kill "$RSS_SAMPLER_PID" 2>/dev/null || true
    wait "$RSS_SAMPLER_PID" 2>/dev/null || true
    awk -F'\t' '$2 > max { max = $2 } END { printf "%.1f", max }' "$RSS_SAMPLES"
}
