# WS-154 monitoring with 1,000 extra tables: summary and advisor latency, the SQL floor of the
# summary, and the CPU the API (its sampler) uses while idle.

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

benchmark_sampler_cpu() {
    log "benchmark: API CPU while idle for ${IDLE_SECONDS}s (the monitoring sampler at its default interval)"
    section 60-sampler "Sampler CPU (API idle, default sampling interval)"
    # Let start-up work (JIT tiering, the first sampling ticks) settle before the window opens.
    sleep "$SETTLE_SECONDS"
    local api0 api1 pg0 pg1 started ended api_pct pg_pct rss
    api0=$(cpu_seconds "$API_PID"); pg0=$(postgres_cpu_seconds); started=$(date +%s.%N)
    sleep "$IDLE_SECONDS"
    api1=$(cpu_seconds "$API_PID"); pg1=$(postgres_cpu_seconds); ended=$(date +%s.%N)
    api_pct=$(awk -v a="$api0" -v b="$api1" -v s="$started" -v e="$ended" 'BEGIN { printf "%.3f", 100 * (b - a) / (e - s) }')
    pg_pct=$(awk -v a="$pg0" -v b="$pg1" -v s="$started" -v e="$ended" 'BEGIN { printf "%.3f", 100 * (b - a) / (e - s) }')
    rss=$(vm_mb "$API_PID" VmRSS)
    if [ "$MONITORING_PRESENT" = 1 ]; then
        record_result "Sampler CPU: API process while idle, default interval ($MON_TABLES tables)" \
            "$(fmt "$api_pct" 2) % of a core" "≤ 1 %" "$(verdict_le "$api_pct" 1)"
    else
        record_result "Sampler CPU: API process while idle, default interval ($MON_TABLES tables)" \
            "($(fmt "$api_pct" 2) % of a core, no sampler yet)" "≤ 1 %" "not measured: endpoint missing"
    fi
    say "No requests for $IDLE_SECONDS s (after $SETTLE_SECONDS s of settling); CPU time (utime + stime of \`/proc/<pid>/stat\`) over the window:"
    say ""
    say "- API process: **$(fmt "$api_pct" 2) % of one core** ($(fmt "$(awk -v a="$api0" -v b="$api1" 'BEGIN { print b - a }')" 2) CPU s), VmRSS $(fmt "$rss" 0) MB."
    say "- PostgreSQL (postmaster and its current children, i.e. what the sampler's queries cost the server too): $(fmt "$pg_pct" 2) % of one core."
    [ "$MONITORING_PRESENT" = 1 ] || say "- The monitoring endpoints answer 404, so this API has no sampler yet: the figure is an idle API's, not a sampler's."
    say ""
}
