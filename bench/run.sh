#!/usr/bin/env bash
# The WedSync.Aspire benchmarks (issue 9) in one command: build Release, start a private
# PostgreSQL 15, generate the data sets, run every benchmark, stop everything and write
# bench/RESULTS.md. See bench/README.md.
#
#   bench/run.sh                 full sizes (1M referrals, 1,000 tables), writes bench/RESULTS.md
#   bench/run.sh --quick         small sizes and short runs, writes bench/out/RESULTS.quick.md
#   options: --skip-build  --skip-apphost
#            --referrals-only  only the referral part (data, POST vs baseline, reads), writes
#                              bench/out/RESULTS.referrals.md; BENCH_LOAD_DURATION / BENCH_READ_DURATION
#                              (e.g. 10s) shorten the runs on a shared machine
#            --only-migrations  just the migrator against psql; writes bench/out/RESULTS.migrations.md
#            --console-only  only the console's Overview render on the monitoring data set; writes bench/out/RESULTS.console.md
#            --report-only   assemble the results again from bench/out/report and bench/FINDINGS.md
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
OUT_DIR=$BENCH_DIR/out
BENCH_COMMAND="bench/run.sh${*:+ $*}"

for lib in common postgres report api load bench_migrations bench_referrals bench_monitoring bench_console bench_apphost; do
    # shellcheck source=/dev/null
    source "$BENCH_DIR/lib/$lib.sh"
done

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

parse_arguments() {
    BENCH_SIZE=full
    SKIP_BUILD=0
    SKIP_APPHOST=0
    REPORT_ONLY=0
    REFERRALS_ONLY=0
    ONLY_MIGRATIONS=0
    CONSOLE_ONLY=0
    while [ $# -gt 0 ]; do
        case $1 in
            --referrals-only) REFERRALS_ONLY=1 ;;
            --quick) BENCH_SIZE=quick ;;
            --skip-build) SKIP_BUILD=1 ;;
            --skip-apphost) SKIP_APPHOST=1 ;;
            --report-only) REPORT_ONLY=1 ;;
            --only-migrations) ONLY_MIGRATIONS=1 ;;
            --console-only) CONSOLE_ONLY=1 ;;
            -h | --help) usage; exit 0 ;;
            *) usage >&2; die "unknown option $1" ;;
        esac
        shift
    done
}

# Sizes and durations. Full: what issue 9 asks for. Quick: the same code paths in a few minutes,
# for developing the bench on a shared machine.
choose_sizes() {
    ORGS=100
    # The POST benchmark runs at each of these; the ratios are reported at each (issue 16: 16 and 64).
    POST_CONNECTION_COUNTS="16 64"
    READ_CONNECTIONS=4
    ANALYTICS_CONNECTIONS=2
    APPHOST_TIMEOUT=180
    if [ "$BENCH_SIZE" = full ]; then
        USERS_PER_ORG=100 LOAD_USERS_PER_ORG=200 REFERRALS=1000000 MON_TABLES=1000
        WARMUP_DURATION=5s LOAD_DURATION=30s READ_DURATION=20s SQL_DURATION=10 IDLE_SECONDS=60 SETTLE_SECONDS=30 MIGRATION_RUNS=10
        RESULTS_FILE=$BENCH_DIR/RESULTS.md
    else
        USERS_PER_ORG=20 LOAD_USERS_PER_ORG=20 REFERRALS=20000 MON_TABLES=100
        WARMUP_DURATION=2s LOAD_DURATION=5s READ_DURATION=5s SQL_DURATION=3 IDLE_SECONDS=10 SETTLE_SECONDS=10 MIGRATION_RUNS=2
        RESULTS_FILE=$OUT_DIR/RESULTS.quick.md
    fi
    LOAD_DURATION=${BENCH_LOAD_DURATION:-$LOAD_DURATION}
    READ_DURATION=${BENCH_READ_DURATION:-$READ_DURATION}
    if [ "${REFERRALS_ONLY:-0}" = 1 ]; then
        RESULTS_FILE=$OUT_DIR/RESULTS.referrals.md
    fi
    if [ "${CONSOLE_ONLY:-0}" = 1 ]; then
        RESULTS_FILE=$OUT_DIR/RESULTS.console.md
    fi
}

build_release() {
    if [ "$SKIP_BUILD" = 1 ]; then
        note "--skip-build: using the existing Release builds"
    else
        if [ "$ONLY_MIGRATIONS" = 1 ]; then
            log "build (Release): Migrations"
            (cd "$REPO_DIR" && dotnet build Migrations -c Release -nologo -v quiet) \
                >"$OUT_DIR/logs/build.log" 2>&1 || { tail -n 40 "$OUT_DIR/logs/build.log" >&2; die "build failed (bench/out/logs/build.log)"; }
        else
            log "build (Release): AppHost (with Api, Migrations, ServiceDefaults) and bench/Baseline"
            (cd "$REPO_DIR" && dotnet build AppHost -c Release -nologo -v quiet && dotnet build bench/Baseline -c Release -nologo -v quiet) \
                >"$OUT_DIR/logs/build.log" 2>&1 || { tail -n 40 "$OUT_DIR/logs/build.log" >&2; die "build failed (bench/out/logs/build.log)"; }
        fi
        publish_shipped_migrator
    fi
    local dll dlls=("$API_DLL" "$MIGRATOR_DLL" "$BASELINE_DLL")
    [ "$ONLY_MIGRATIONS" = 0 ] || dlls=("$MIGRATOR_DLL")
    for dll in "${dlls[@]}"; do
        [ -f "$REPO_DIR/$dll" ] || die "$dll is missing: run without --skip-build"
    done
}

prepare_out_dir() {
    mkdir -p "$OUT_DIR/logs"
    rm -rf "$OUT_DIR/load" "$OUT_DIR/tokens" "$OUT_DIR/explain" "$OUT_DIR/sql-floor" "$OUT_DIR/migrations"
    mkdir -p "$OUT_DIR/explain"
}

cleanup() {
    local status=$?
    [ -z "${RSS_SAMPLER_PID:-}" ] || kill "$RSS_SAMPLER_PID" 2>/dev/null || true
    stop_all_processes
    stop_postgres
    [ "$status" -eq 0 ] || printf '\nbench: failed (exit %s); logs in %s\n' "$status" "$OUT_DIR/logs" >&2
}

run_referral_benchmarks() {
    prepare_referral_data
    mint_referral_tokens
    start_baseline "$BASELINE_PORT" "$REFERRALS_DB"
    start_api "$API_PORT" "$REFERRALS_DB"
    benchmark_referral_writes
    benchmark_referral_writes_other_gc
    stop_process baseline
    benchmark_referral_reads
    stop_process "api-$REFERRALS_DB"
    sql_floor_referrals
    explain_referral_queries
}

run_monitoring_benchmarks() {
    prepare_monitoring_data
    start_api "$API_PORT" "$MONITORING_DB"
    benchmark_monitoring_endpoints
    benchmark_console_render
    benchmark_sampler_cpu
}

write_how_to_reproduce() {
    section 90-commands "How this was produced"
    say "One command from the repository root (as root, or a user who may run \`setpriv\` to the postgres account):"
    say_code "$BENCH_COMMAND" bash
    say "It builds Release (\`dotnet build AppHost -c Release\`, \`dotnet build bench/Baseline -c Release\`), starts"
    say "PostgreSQL $PG_VERSION from \`$PG_BIN\` on 127.0.0.1:$PG_PORT (data in \`bench/out/pg\`, \`shared_preload_libraries=pg_stat_statements\`,"
    say "\`shared_buffers=512MB\`, \`max_connections=300\`, \`synchronous_commit=off\`: see \`bench/lib/postgres.sh\` for why), then runs the API"
    say "(\`dotnet $API_DLL\`, Production, port $API_PORT, no telemetry exporter) and the baseline (port $BASELINE_PORT) as plain processes."
    say "Tokens: HS256, minted by \`bench/tools/mint_tokens.py\` with the run's \`Auth__SigningKey\`, issuer \`$AUTH_ISSUER\`, audience \`$AUTH_AUDIENCE\`."
    say "The commands of each measurement are in its section; raw outputs (wrk JSON, hyperfine JSON, logs, EXPLAIN plans) are in \`bench/out/\`."
    say ""
    say "Sections whose endpoint answers 404 are reported as \"not measured: endpoint missing\" and light up by"
    say "themselves once the endpoint exists on the branch that is benchmarked."
}

main() {
    parse_arguments "$@"
    choose_sizes
    if [ "$REPORT_ONLY" = 1 ]; then
        # The last run's size decides which file it was written to.
        BENCH_SIZE=$(cat "$(report_dir)/size" 2>/dev/null || echo full)
        choose_sizes
        assemble_results "$RESULTS_FILE"
        return 0
    fi
    cd "$REPO_DIR"
    take_machine_lock
    BENCH_STARTED_AT=$(date +%s)
    LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
    install_missing_tools
    prepare_out_dir
    reset_report
    trap cleanup EXIT

    build_release
    DISK_FDATASYNC=$(disk_fdatasync_rate)
    PG_PORT=$(free_port_from "${BENCH_PG_PORT:-55500}")
    API_PORT=$(free_port_from "${BENCH_API_PORT:-55580}")
    BASELINE_PORT=$(free_port_from "${BENCH_BASELINE_PORT:-$((API_PORT + 1))}")
    start_postgres
    PG_VERSION=$(pg_server_version)

    if [ "$REFERRALS_ONLY" = 1 ]; then
        run_referral_benchmarks
        stop_postgres
        write_how_to_reproduce
        write_results_header
        assemble_results "$RESULTS_FILE"
        return 0
    fi

    if [ "$CONSOLE_ONLY" = 1 ]; then
        prepare_monitoring_data
        benchmark_console_render
        stop_postgres
        write_how_to_reproduce
        write_results_header
        assemble_results "$RESULTS_FILE"
        return 0
    fi

    benchmark_migrations
    if [ "$ONLY_MIGRATIONS" = 1 ]; then
        stop_postgres
        write_results_header
        assemble_results "$OUT_DIR/RESULTS.migrations.md"
        return 0
    fi
    run_referral_benchmarks
    run_monitoring_benchmarks
    stop_postgres

    if [ "$SKIP_APPHOST" = 1 ]; then
        record_result "dotnet run --project AppHost → API healthy (after the build)" "—" "≤ 20 s" "not measured: --skip-apphost"
    else
        benchmark_apphost_startup
    fi

    write_how_to_reproduce
    write_results_header
    assemble_results "$RESULTS_FILE"
}

main "$@"
