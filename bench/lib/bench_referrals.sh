# WS-170 referrals: the 1M data set, POST /api/referrals against the raw baseline, the read
# endpoints (stats, analytics, leaderboard), SQL floors with pgbench and EXPLAIN for profiling.

REFERRALS_DB=wedsync_referrals

prepare_referral_data() {
    log "data: $REFERRALS referrals across $ORGS organizations (bench/data/referrals.sql)"
    section 10-data "Data sets"
    recreate_database "$REFERRALS_DB"
    (cd "$REPO_DIR" && ConnectionStrings__wedsync=$(npgsql_connection_string "$REFERRALS_DB") dotnet "$MIGRATOR_DLL" up) \
        >"$OUT_DIR/logs/migrate-$REFERRALS_DB.log" 2>&1 || { tail -n 30 "$OUT_DIR/logs/migrate-$REFERRALS_DB.log" >&2; die "migrating $REFERRALS_DB failed"; }
    local started
    started=$(date +%s)
    psql_db "$REFERRALS_DB" -v orgs="$ORGS" -v users_per_org="$USERS_PER_ORG" -v load_users_per_org="$LOAD_USERS_PER_ORG" \
        -v referrals="$REFERRALS" -f "$BENCH_DIR/data/referrals.sql" >"$OUT_DIR/logs/data-referrals.log" 2>&1 \
        || { tail -n 30 "$OUT_DIR/logs/data-referrals.log" >&2; die "bench/data/referrals.sql failed"; }
    note "referral data ready in $(( $(date +%s) - started )) s"

    say "### Referrals (\`$REFERRALS_DB\`)"
    say ""
    say "Migrated with the migrator, then \`psql -v orgs=$ORGS -v users_per_org=$USERS_PER_ORG -v load_users_per_org=$LOAD_USERS_PER_ORG -v referrals=$REFERRALS -f bench/data/referrals.sql\`"
    say "(as the owner; $(( $(date +%s) - started )) s including VACUUM ANALYZE). Row counts and status mix:"
    say ""
    say_code "$(psql_db "$REFERRALS_DB" -c "SELECT relname AS \"table\", n_live_tup AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size
        FROM pg_stat_user_tables WHERE relname IN ('organizations', 'user_profiles', 'referral_codes', 'referrals', 'referral_share_events',
        'referral_clicks', 'referral_conversions', 'referral_rewards', 'viral_metrics') ORDER BY n_live_tup DESC" \
        -c "SELECT status, count(*) AS referrals, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct FROM referrals GROUP BY status ORDER BY 2 DESC")"
    say "Statement timings of the generator: \`bench/out/logs/data-referrals.log\`."
    say ""
}

# Token files for the people of the data set (see bench/tools/mint_tokens.py).
mint_referral_tokens() {
    local dir=$OUT_DIR/tokens
    mkdir -p "$dir"
    # Load users: a tenth warms up, the rest carry the measured run, so no user is reused across them.
    psql_value "$REFERRALS_DB" "SELECT user_id FROM user_profiles WHERE email LIKE 'load-%' ORDER BY user_id" >"$dir/load-users.txt"
    local load_count warm
    load_count=$(wc -l <"$dir/load-users.txt")
    warm=$(( load_count / 10 ))
    head -n "$warm" "$dir/load-users.txt" | mint_tokens "" >"$dir/post-warmup.txt"
    tail -n +"$((warm + 1))" "$dir/load-users.txt" | mint_tokens "" >"$dir/post-measure.txt"
    psql_value "$REFERRALS_DB" "SELECT user_id FROM user_profiles WHERE email LIKE 'user-%' ORDER BY user_id" | mint_tokens "" >"$dir/referrers.txt"
    psql_value "$REFERRALS_DB" "SELECT user_id FROM user_profiles WHERE email LIKE 'user-%' AND role IN ('OWNER', 'ADMIN') ORDER BY user_id" \
        | mint_tokens "" >"$dir/org-admins.txt"
    note "tokens: $warm warm-up + $((load_count - warm)) measured load users, $(wc -l <"$dir/referrers.txt") referrers, $(wc -l <"$dir/org-admins.txt") org admins"
}

referral_body_probe() { printf '{"referredEmail":"probe-%s@load.bench.test","rewardType":"credit","referrerType":"supplier"}' "$(date +%s%N)"; }

benchmark_referral_writes() {
    log "benchmark: POST /api/referrals vs baseline ($POST_CONNECTION_COUNTS connections, ${LOAD_DURATION} each)"
    section 30-referrals-post "POST /api/referrals against the raw baseline"
    local token
    token=$(head -n 1 "$OUT_DIR/tokens/post-warmup.txt")

    say "Both apps run side by side on the same PostgreSQL and the same data set; wrk drives"
    say "$POST_CONNECTION_COUNTS connections in turn ($WRK_THREADS threads) for $LOAD_DURATION each after a $WARMUP_DURATION warm-up of its own,"
    say "baseline then API at each count, each request a new referral with a unique e-mail and its own client address"
    say "(X-Forwarded-For from loopback, which both apps trust). The API gets a different load user's"
    say "token on each request (rotating over $(wc -l <"$OUT_DIR/tokens/post-measure.txt") users, so no one nears 10 codes an hour or 10 referrals a day),"
    say "with every limit enforced (counter rows per user and client, \`20250901300001\`);"
    say "the baseline (\`bench/Baseline\`: plain Npgsql, the code and referral inserts in one transaction,"
    say "no auth, no RLS, no fraud checks) spreads its inserts over the $(wc -l <"$OUT_DIR/tokens/referrers.txt") people of the history instead."
    say "Its inserts pass the schema's triggers like any writer's (the limit counters count them; no limit is stated, so none refuses)."
    say ""

    if ! endpoint_available POST "$API_URL/api/referrals" "$token" "$(referral_body_probe)"; then
        note "POST /api/referrals answers 404: not measured"
        record_result "POST /api/referrals throughput ÷ baseline (64 connections)" "—" "≥ 0.6×" "not measured: endpoint missing"
        say "- API: **not measured: endpoint missing** (POST /api/referrals answered 404)."
        say ""
        return 0
    fi
    say "- API probe: POST /api/referrals answered $PROBE_STATUS."
    say ""

    local connections
    for connections in $POST_CONNECTION_COUNTS; do
        benchmark_referral_writes_at "$connections"
    done
}

# The API's memory is mostly the garbage collector's choice: the 64-connection POST again with the other GC
# mode (server <-> workstation), so the resident memory and the throughput it costs are seen side by side.
benchmark_referral_writes_other_gc() {
    local shipped other connections=64
    shipped=$(jq -r '.runtimeOptions.configProperties["System.GC.Server"] // true' "$REPO_DIR/${API_DLL%.dll}.runtimeconfig.json")
    if [ "$shipped" = true ]; then other=0; else other=1; fi
    log "benchmark: POST /api/referrals with DOTNET_gcServer=$other (the shipped API: System.GC.Server=$shipped)"
    say "#### $connections connections, the API with the other garbage collector (\`DOTNET_gcServer=$other\`; shipped: \`System.GC.Server=$shipped\`)"
    say ""
    stop_process "api-$REFERRALS_DB"
    BENCH_API_EXTRA_ENV="${BENCH_API_EXTRA_ENV:-} DOTNET_gcServer=$other" start_api "$API_PORT" "$REFERRALS_DB"
    run_wrk "post-api-gc$other-warmup" "$API_URL/api/referrals" "$connections" "$WARMUP_DURATION" "$OUT_DIR/tokens/post-warmup.txt" POST referral
    start_rss_sampler "$API_PID" "post-gc$other-$connections"
    run_wrk "post-api-gc$other-$connections" "$API_URL/api/referrals" "$connections" "$LOAD_DURATION" "$OUT_DIR/tokens/post-measure.txt" POST referral
    local max_rss rps
    max_rss=$(stop_rss_sampler)
    rps=$(wrk_field .rps)
    record_result "POST /api/referrals with DOTNET_gcServer=$other (64 connections)" \
        "$(fmt "$rps" 0) req/s, $(fmt "$max_rss" 0) MB VmRSS max" "—" "information"
    say "- API, DOTNET_gcServer=$other: $(wrk_summary_line); max VmRSS $(fmt "$max_rss" 1) MB."
    say ""
    stop_process "api-$REFERRALS_DB"
    start_api "$API_PORT" "$REFERRALS_DB"
}

# benchmark_referral_writes_at <connections>: baseline, then the API, at one connection count.
benchmark_referral_writes_at() {
    local connections=$1
    say "#### $connections connections"
    say ""
    run_wrk "post-baseline-warmup-$connections" "$BASELINE_URL/referrals" "$connections" "$WARMUP_DURATION" "$OUT_DIR/tokens/post-warmup.txt" POST referral
    run_wrk "post-baseline-$connections" "$BASELINE_URL/referrals" "$connections" "$LOAD_DURATION" "$OUT_DIR/tokens/post-measure.txt" POST referral
    local baseline_json=$WRK_JSON baseline_cmd=$WRK_COMMAND baseline_rps baseline_p99
    baseline_rps=$(wrk_field .rps)
    baseline_p99=$(wrk_field .latency_ms.p99)
    say "- baseline: $(wrk_summary_line "$baseline_json")"

    run_wrk "post-api-warmup-$connections" "$API_URL/api/referrals" "$connections" "$WARMUP_DURATION" "$OUT_DIR/tokens/post-warmup.txt" POST referral
    statement_stats_reset "$REFERRALS_DB"
    start_rss_sampler "$API_PID" "post-$connections"
    run_wrk "post-api-$connections" "$API_URL/api/referrals" "$connections" "$LOAD_DURATION" "$OUT_DIR/tokens/post-measure.txt" POST referral
    local api_json=$WRK_JSON api_cmd=$WRK_COMMAND max_rss hwm api_rps api_p99 ok_pct throughput_ratio p99_ratio top_statements
    max_rss=$(stop_rss_sampler)
    top_statements=$(statement_stats_top "$REFERRALS_DB" "post-api-$connections")
    hwm=$(vm_mb "$API_PID" VmHWM)
    api_rps=$(wrk_field .rps)
    api_p99=$(wrk_field .latency_ms.p99)
    ok_pct=$(wrk_success_pct "$api_json")
    throughput_ratio=$(ratio "$api_rps" "$baseline_rps")
    p99_ratio=$(ratio "$api_p99" "$baseline_p99")
    pgbench_create_floor "$connections"
    local floor_ratio
    floor_ratio=$(ratio "$api_rps" "$PGBENCH_TPS")

    local validity="" verdict_ratio verdict_p99
    if ! is_ge "$ok_pct" 99; then
        validity=" (only $(fmt "$ok_pct" 1) % of responses were 2xx: see the statuses below)"
    fi
    if [ "$connections" = 64 ]; then
        verdict_ratio=$(verdict_ge "$throughput_ratio" 0.9)
    else
        verdict_ratio="information"
    fi
    verdict_p99=$(verdict_le "$p99_ratio" 1.5)
    if [ -n "$validity" ]; then
        verdict_ratio="MISS$validity"
        verdict_p99="MISS$validity"
    fi
    record_result "POST /api/referrals throughput ÷ baseline ($connections connections)" \
        "$(fmt "$throughput_ratio" 2)× ($(fmt "$api_rps" 0) vs $(fmt "$baseline_rps" 0) req/s)" "$([ "$connections" = 64 ] && echo "≥ 0.9×" || echo "—")" "$verdict_ratio"
    record_result "POST /api/referrals throughput ÷ its SQL floor ($connections connections)" \
        "$(fmt "$floor_ratio" 2)× ($(fmt "$api_rps" 0) vs $(fmt "$PGBENCH_TPS" 0) transactions/s)" "—" "information"
    record_result "POST /api/referrals p99 ÷ baseline p99 ($connections connections)" \
        "$(fmt "$p99_ratio" 2)× ($(fmt "$api_p99" 1) vs $(fmt "$baseline_p99" 1) ms)" "≤ 1.5×" "$verdict_p99"
    if [ "$connections" = 64 ]; then
        record_result "API resident memory under the POST load (64 connections)" "$(fmt "$max_rss" 0) MB (VmRSS max; VmHWM $(fmt "$hwm" 0) MB)" "≤ 200 MB" "$(verdict_le "$max_rss" 200)"
    fi

    say "- API: $(wrk_summary_line "$api_json")"
    say "- API ÷ baseline: throughput **$(fmt "$throughput_ratio" 2)×**, p99 **$(fmt "$p99_ratio" 2)×**; API resident memory: max VmRSS $(fmt "$max_rss" 1) MB"
    say "  (sampled every 0.5 s during the measured run), VmHWM $(fmt "$hwm" 1) MB since start."
    say "- SQL floor (the API's statements for a clean referral in one pipelined round trip, \`pgbench -M prepared\`, same"
    say "  connection count, as the request role with a load user's claims, \`bench/sql/referral_create.pgbench\`): $(fmt "$PGBENCH_TPS" 0) transactions/s,"
    say "  $PGBENCH_RESULT; the API reaches **$(fmt "$floor_ratio" 2)×** of what PostgreSQL alone allows here."
    say_statement_stats "$top_statements" "post-api-$connections"
    say_code "$baseline_cmd
$api_cmd
$PGBENCH_COMMAND" bash
    say ""
}

# benchmark_read_endpoint <label> <path> <tokens> <connections> <target-ms> <summary-name>
benchmark_read_endpoint() {
    local label=$1 path=$2 tokens=$3 connections=$4 target=$5 name=$6 token
    token=$(head -n 1 "$tokens")
    if ! endpoint_available GET "$API_URL$path" "$token"; then
        note "GET ${path%%\?*} answers 404: not measured"
        [ -z "$target" ] || record_result "$name" "—" "≤ $target ms" "not measured: endpoint missing"
        say "- \`GET $path\`: **not measured: endpoint missing** (404)."
        return 0
    fi
    run_wrk "$label-warmup" "$API_URL$path" "$connections" "$WARMUP_DURATION" "$tokens"
    statement_stats_reset "$STATEMENT_STATS_DB"
    run_wrk "$label" "$API_URL$path" "$connections" "$READ_DURATION" "$tokens"
    local p95 ok_pct verdict top_statements
    top_statements=$(statement_stats_top "$STATEMENT_STATS_DB" "$label")
    p95=$(wrk_field .latency_ms.p95)
    ok_pct=$(wrk_success_pct)
    if [ -n "$target" ]; then
        verdict=$(verdict_le "$p95" "$target")
        is_ge "$ok_pct" 99 || verdict="MISS (only $(fmt "$ok_pct" 1) % of responses were 2xx)"
        record_result "$name" "$(fmt "$p95" 1) ms (p95; $(fmt "$(wrk_field .rps)" 0) req/s)" "≤ $target ms" "$verdict"
    fi
    say "- \`GET $path\` (probe answered $PROBE_STATUS): $(wrk_summary_line)"
    say_statement_stats "$top_statements" "$label"
    say_code "$WRK_COMMAND" bash
}

benchmark_referral_reads() {
    log "benchmark: referral reads (stats, analytics, leaderboard)"
    section 40-referrals-read "Referral reads on the $REFERRALS-referral data set"
    local from to
    to=$(date -u +%F)
    from=$(date -u -d '90 days ago' +%F)
    say "wrk with $READ_CONNECTIONS connections (stats, leaderboard) or $ANALYTICS_CONNECTIONS (analytics) for $READ_DURATION after a"
    say "$WARMUP_DURATION warm-up, each request with the token of another person (stats, leaderboard: the $(wc -l <"$OUT_DIR/tokens/referrers.txt")"
    say "people with history, heavy referrers included; analytics: the $(wc -l <"$OUT_DIR/tokens/org-admins.txt") owners and admins)."
    say ""
    STATEMENT_STATS_DB=$REFERRALS_DB
    benchmark_read_endpoint stats "/api/referrals/stats" "$OUT_DIR/tokens/referrers.txt" "$READ_CONNECTIONS" 15 \
        "GET /api/referrals/stats on $REFERRALS referrals"
    benchmark_read_endpoint analytics "/api/referrals/analytics?from=$from&to=$to" "$OUT_DIR/tokens/org-admins.txt" "$ANALYTICS_CONNECTIONS" 150 \
        "GET /api/referrals/analytics over 90 days"
    benchmark_read_endpoint leaderboard "/api/referrals/leaderboard?period=month" "$OUT_DIR/tokens/referrers.txt" "$READ_CONNECTIONS" "" \
        "GET /api/referrals/leaderboard (no target)"
    say ""
}

# pgbench latencies from its per-transaction log: p50/p95/p99 in ms.
pgbench_percentiles() {
    cat "$1".* | awk '{ print $3 / 1000 }' | sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "no transactions"; exit }
        printf "%d transactions, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms", NR, v[int(NR * 0.50) + 1], v[int(NR * 0.95) + 1], v[int(NR * 0.99) + 1] }'
}

# pgbench_floor <database> <script> <label>: one client for $SQL_DURATION seconds; sets
# PGBENCH_RESULT (the percentiles) and PGBENCH_COMMAND.
pgbench_floor() {
    local db=$1 script=$2 label=$3 dir=$OUT_DIR/sql-floor
    mkdir -p "$dir"
    rm -f "$dir/$label".*
    (cd "$dir" && PGPASSWORD=$PG_PASSWORD "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -c 1 -T "$SQL_DURATION" \
        -D orgs="$ORGS" -D users="$USERS_PER_ORG" -f "$script" -l --log-prefix="$label" "$db") >"$dir/$label.out" 2>&1 || { cat "$dir/$label.out" >&2; die "pgbench $label failed"; }
    PGBENCH_COMMAND="pgbench -n -c 1 -T $SQL_DURATION -D orgs=$ORGS -D users=$USERS_PER_ORG -f ${script#"$REPO_DIR/"} -l $db"
    PGBENCH_RESULT=$(pgbench_percentiles "$dir/$label")
}

# pgbench_create_floor <connections>: the create path's SQL alone (bench/sql/referral_create.pgbench) for
# $LOAD_DURATION at the same concurrency; sets PGBENCH_TPS, PGBENCH_RESULT and PGBENCH_COMMAND.
pgbench_create_floor() {
    local connections=$1 dir=$OUT_DIR/sql-floor label="create-$1" seconds=${LOAD_DURATION%s} run
    mkdir -p "$dir"
    rm -f "$dir/$label".*
    run=$(date +%s%N)
    local args=(-n -M prepared -c "$connections" -j "$WRK_THREADS" -T "$seconds" -D orgs="$ORGS" -D load_users="$LOAD_USERS_PER_ORG"
        -D clients="$connections" -D run="$run" -D n=0 -f "$BENCH_DIR/sql/referral_create.pgbench")
    (cd "$dir" && PGPASSWORD=$PG_PASSWORD "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "${args[@]}" -l --log-prefix="$label" "$REFERRALS_DB") \
        >"$dir/$label.out" 2>&1 || { cat "$dir/$label.out" >&2; die "pgbench $label failed"; }
    grep -q "number of failed transactions: 0 " "$dir/$label.out" || { cat "$dir/$label.out" >&2; die "pgbench $label: failed transactions"; }
    PGBENCH_TPS=$(awk '/^tps = / { print $3; exit }' "$dir/$label.out")
    PGBENCH_COMMAND="pgbench ${args[*]/#$REPO_DIR\//} $REFERRALS_DB"
    PGBENCH_RESULT=$(pgbench_percentiles "$dir/$label")
}

sql_floor_referrals() {
    log "SQL floor: stats-like queries as the request role (pgbench)"
    section 45-sql-floor-referrals "SQL floor of the referral reads (no HTTP, no .NET)"
    say "What PostgreSQL alone needs for queries shaped like the endpoints', run as the request role"
    say "\`wedsync_user\` with a random referrer's claims (RLS on), one client, $SQL_DURATION s. These are the bench's"
    say "approximations (\`bench/sql/*.pgbench\`), not the API's SQL: they show whether the schema's indexes leave room"
    say "under the HTTP targets. Information only."
    say ""
    pgbench_floor "$REFERRALS_DB" "$BENCH_DIR/sql/stats.pgbench" stats
    say "- stats (counts by status, reward sums and tier of one referrer): $PGBENCH_RESULT"
    say_code "$PGBENCH_COMMAND" bash
    pgbench_floor "$REFERRALS_DB" "$BENCH_DIR/sql/leaderboard.pgbench" leaderboard
    say "- leaderboard (top 10 referrers of the organization, last 30 days): $PGBENCH_RESULT"
    say_code "$PGBENCH_COMMAND" bash
}

explain_referral_queries() {
    log "EXPLAIN (ANALYZE, BUFFERS) of the referral queries -> bench/out/explain/referrals.txt"
    mkdir -p "$OUT_DIR/explain"
    local owner
    owner=$(psql_value "$REFERRALS_DB" "SELECT referrer_user_id FROM referrals GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    psql_db "$REFERRALS_DB" -v user_id="$owner" -f "$BENCH_DIR/sql/explain_referrals.sql" >"$OUT_DIR/explain/referrals.txt" 2>&1 \
        || { tail -n 20 "$OUT_DIR/explain/referrals.txt" >&2; die "explain_referrals.sql failed"; }
    say "EXPLAIN (ANALYZE, BUFFERS) of these queries for the heaviest referrer (\`bench/sql/explain_referrals.sql\`):"
    say "\`bench/out/explain/referrals.txt\` (not committed; produced by every run). Execution times:"
    say ""
    say_code "$(awk '/^### / { title = $0 } /Execution Time/ { printf "%-70s %s\n", substr(title, 5), $3 " ms" }' "$OUT_DIR/explain/referrals.txt")"
}
