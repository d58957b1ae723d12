# WS-154 monitoring with 1,000 extra tables: summary and advisor latency (as served, and computed
# for every request), the SQL floor of the summary, and what the sampler adds to an idle API and to
# PostgreSQL.

MONITORING_DB=wedsync_monitoring

prepare_monitoring_data() {
    log "data: $MON_TABLES extra tables for monitoring (bench/data/monitoring_tables.sql)"
    recreate_database "$MONITORING_DB"
    (cd "$REPO_DIR" && ConnectionStrings__wedsync=$(npgsql_connection_string "$MONITORING_DB") dotnet "$MIGRATOR_DLL" up) \
        >"$OUT_DIR/logs/migrate-$MONITORING_DB.log" 2>&1 || { tail -n 30 "$OUT_DIR/logs/migrate-$MONITORING_DB.log" >&2; die "migrating $MONITORING_DB failed"; }
    local started
    started=$(date +%s)
    psql_db "$MONITORING_DB" -v tables="$MON_TABLES" -f "$BENCH_DIR/data/monitoring_tables.sql" >"$OUT_DIR/logs/data-monitoring.log" 2>&1 \
        || { tail -n 30 "$OUT_DIR/logs/data-monitoring.log" >&2; die "bench/data/monitoring_tables.sql failed"; }
    note "monitoring data ready in $(( $(date +%s) - started )) s"

    section 11-data-monitoring
    say "### Monitoring (\`$MONITORING_DB\`)"
    say ""
    say "Migrated with the migrator, then \`psql -v tables=$MON_TABLES -f bench/data/monitoring_tables.sql\` ($(( $(date +%s) - started )) s):"
    say "a quarter of the extra tables without RLS, a quarter with RLS and no policy, a quarter with an"
    say "unindexed foreign key, a quarter with 75 % dead rows (autovacuum off); every 10th without primary key,"
    say "every 25th with a duplicate index. What the monitoring views see:"
    say ""
    say_code "$(psql_db "$MONITORING_DB" -c "SELECT count(*) AS public_tables FROM pg_stat_user_tables WHERE schemaname = 'public'" \
        -c "SELECT risk_level, count(*) AS tables FROM monitoring_rls_status GROUP BY 1 ORDER BY 1" \
        -c "SELECT count(*) FILTER (WHERE needs_vacuum) AS tables_needing_vacuum FROM monitoring_table_health")"

    mkdir -p "$OUT_DIR/tokens"
    psql_value "$MONITORING_DB" "SELECT user_id FROM user_profiles WHERE email LIKE 'ops-%' ORDER BY user_id" \
        | mint_tokens platform_admin >"$OUT_DIR/tokens/platform-admins.txt"
}

benchmark_monitoring_endpoints() {
    log "benchmark: monitoring summary and advisor with $MON_TABLES extra tables"
    section 50-monitoring "Monitoring with $MON_TABLES extra tables"
    say "wrk with $READ_CONNECTIONS connections for $READ_DURATION after a $WARMUP_DURATION warm-up, rotating over"
    say "$(wc -l <"$OUT_DIR/tokens/platform-admins.txt") platform-admin tokens (\`roles: [\"platform_admin\"]\`); the API reads \`$MONITORING_DB\`."
    say ""
    local summary
    STATEMENT_STATS_DB=$MONITORING_DB
    benchmark_read_endpoint monitoring-summary "/api/monitoring/summary" "$OUT_DIR/tokens/platform-admins.txt" "$READ_CONNECTIONS" 50 \
        "GET /api/monitoring/summary with $MON_TABLES tables"
    summary=$PROBE_STATUS
    benchmark_read_endpoint monitoring-advisor "/api/monitoring/advisor" "$OUT_DIR/tokens/platform-admins.txt" "$READ_CONNECTIONS" 50 \
        "GET /api/monitoring/advisor with $MON_TABLES tables"
    MONITORING_PRESENT=0
    [ "$summary" = 404 ] || MONITORING_PRESENT=1
    if [ "$MONITORING_PRESENT" = 1 ]; then
        say ""
        say "Both reuse a result up to \`Monitoring:ResultMaxAge\` (15 s) old, which is what an operator's dashboard gets."
        say "What each request costs when it asks for a new result (\`Cache-Control: no-cache\`; information, no target):"
        say ""
        BENCH_HEADER="Cache-Control: no-cache" benchmark_read_endpoint monitoring-summary-uncached "/api/monitoring/summary" \
            "$OUT_DIR/tokens/platform-admins.txt" "$READ_CONNECTIONS" "" ""
        BENCH_HEADER="Cache-Control: no-cache" benchmark_read_endpoint monitoring-advisor-uncached "/api/monitoring/advisor" \
            "$OUT_DIR/tokens/platform-admins.txt" "$READ_CONNECTIONS" "" ""
    fi

    pgbench_floor "$MONITORING_DB" "$BENCH_DIR/sql/monitoring_summary.pgbench" monitoring-summary
    say ""
    say "SQL floor (information): \`get_db_monitoring_summary()\` itself, as the request role with platform-admin"
    say "claims, one client, $SQL_DURATION s: $PGBENCH_RESULT."
    say_code "$PGBENCH_COMMAND" bash
    psql_db "$MONITORING_DB" -f "$BENCH_DIR/sql/explain_monitoring.sql" >"$OUT_DIR/explain/monitoring.txt" 2>&1 \
        || { tail -n 20 "$OUT_DIR/explain/monitoring.txt" >&2; die "explain_monitoring.sql failed"; }
    say "EXPLAIN (ANALYZE, BUFFERS) of the four views: \`bench/out/explain/monitoring.txt\`. Execution times:"
    say ""
    say_code "$(awk '/^### / { title = $0 } /Execution Time/ { printf "%-50s %s\n", substr(title, 5), $3 " ms" }' "$OUT_DIR/explain/monitoring.txt")"
}

# CPU seconds of all processes of the bench's PostgreSQL (postmaster and its children).
postgres_cpu_seconds() {
    local postmaster pid total=0
    postmaster=$(head -n 1 "$(pg_data_dir)/postmaster.pid")
    for pid in "$postmaster" $(pgrep -P "$postmaster"); do
        total=$(awk -v t="$total" -v c="$(cpu_seconds "$pid" 2>/dev/null || echo 0)" 'BEGIN { printf "%.3f", t + c }')
    done
    echo "$total"
}

# What the sampler adds: two fresh API processes on the same database, idle side by side in the same
# window, one sampling at the default interval and one with Monitoring:SamplerEnabled=false. Measuring
# both at once cancels most of what else the shared machine does; the difference is the sampler's
# cost in .NET, and pg_stat_statements over the window is its cost in PostgreSQL (nothing else queries).
benchmark_sampler_cpu() {
    log "benchmark: the sampler's cost, two idle APIs for ${IDLE_SECONDS}s (sampler on / off)"
    section 60-sampler "Sampler cost (idle APIs with and without the sampler, default interval)"
    stop_process "api-$MONITORING_DB"
    local off_port
    off_port=$(free_port_from $((API_PORT + 2)))
    start_api "$API_PORT" "$MONITORING_DB"
    local on_pid=$API_PID
    start_dotnet_process api-no-sampler "$API_DLL" "$off_port" "$MONITORING_DB" \
        Auth__SigningKey="$AUTH_SIGNING_KEY" Auth__Issuer="$AUTH_ISSUER" Auth__Audience="$AUTH_AUDIENCE" Monitoring__SamplerEnabled=false
    local off_pid=${PROCESS_PIDS[api-no-sampler]}
    # Let start-up work (JIT tiering, the first sampling ticks) settle before the window opens.
    sleep "$SETTLE_SECONDS"
    local on0 on1 off0 off1 pg0 pg1 started ended on_pct off_pct pg_pct sql_ms sql_pct added ticks pgss
    pgss=$(statement_stats_schema "$MONITORING_DB")
    statement_stats_reset "$MONITORING_DB"
    on0=$(cpu_seconds "$on_pid"); off0=$(cpu_seconds "$off_pid"); pg0=$(postgres_cpu_seconds); started=$(date +%s.%N)
    sleep "$IDLE_SECONDS"
    on1=$(cpu_seconds "$on_pid"); off1=$(cpu_seconds "$off_pid"); pg1=$(postgres_cpu_seconds); ended=$(date +%s.%N)
    percent() { awk -v a="$1" -v b="$2" -v s="$started" -v e="$ended" 'BEGIN { printf "%.3f", 100 * (b - a) / (e - s) }'; }
    on_pct=$(percent "$on0" "$on1"); off_pct=$(percent "$off0" "$off1"); pg_pct=$(percent "$pg0" "$pg1")
    sql_ms=$(psql_value "$MONITORING_DB" "SELECT coalesce(round(sum(total_exec_time)::numeric, 1), 0) FROM $pgss.pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements_reset%'")
    ticks=$(psql_value "$MONITORING_DB" "SELECT coalesce(max(calls), 0) FROM $pgss.pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE '%get_db_monitoring_summary()%'")
    local top_statements
    top_statements=$(statement_stats_top "$MONITORING_DB" sampler-idle)
    sql_pct=$(awk -v ms="$sql_ms" -v s="$started" -v e="$ended" 'BEGIN { printf "%.3f", ms / 10 / (e - s) }')
    added=$(awk -v on="$on_pct" -v off="$off_pct" -v sql="$sql_pct" 'BEGIN { d = on - off; if (d < 0) d = 0; printf "%.3f", d + sql }')
    if [ "$MONITORING_PRESENT" = 1 ]; then
        record_result "Sampler: load it adds at the default interval ($MON_TABLES tables; API CPU with − without, plus its SQL)" \
            "$(fmt "$added" 2) % of a core" "≤ 1 %" "$(verdict_le "$added" 1)"
    else
        record_result "Sampler: load it adds at the default interval ($MON_TABLES tables)" "—" "≤ 1 %" "not measured: endpoint missing"
    fi
    say "Two API processes started fresh on \`$MONITORING_DB\`, no requests, $SETTLE_SECONDS s to settle, then a $IDLE_SECONDS s window"
    say "(CPU = utime + stime of \`/proc/<pid>/stat\`; SQL = pg_stat_statements total execution time, reset at the window's start):"
    say ""
    say "| | % of one core |"
    say "|---|---|"
    say "| API with the sampler (default interval; it held the sampler lock, $ticks ticks in the window) | $(fmt "$on_pct" 2) |"
    say "| API with \`Monitoring__SamplerEnabled=false\` | $(fmt "$off_pct" 2) |"
    say "| difference: the sampler's .NET side | $(fmt "$(awk -v a="$on_pct" -v b="$off_pct" 'BEGIN { print a - b }')" 2) |"
    say "| the sampler's SQL in PostgreSQL ($(fmt "$sql_ms" 0) ms of execution) | $(fmt "$sql_pct" 2) |"
    say "| **added by the sampler** (difference, at least 0, plus its SQL) | **$(fmt "$added" 2)** |"
    say "| PostgreSQL processes altogether (postmaster and children, background work included) | $(fmt "$pg_pct" 2) |"
    say ""
    say "An idle API costs this much without any sampler (Kestrel's and the rate limiter's timers, thread-pool wake-ups)."
    say_statement_stats "$top_statements" sampler-idle
    stop_process api-no-sampler
    stop_process "api-$MONITORING_DB"
}
