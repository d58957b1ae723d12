# Operator console (issue 18): the server time of rendering Overview (/console) with the monitoring
# data set's 1,000 extra tables, against a same-run floor, GET /api/monitoring/summary (the summary
# Overview shows, from the same reused result), on the same API process with the same connections.
#
# The console signs people in with a cookie; the only sign-in without an OIDC provider is the
# Development demo page, so this part runs an API of its own in Development (no other difference on
# this path: no appsettings.Development.json, exception details only on a 500), signs in as the demo
# operator ops@wedsync.test like a browser (antiforgery token, form post) and sends that cookie.
# One cookie is one person, so the per-person rate limit is lifted for this process only.

CONSOLE_TARGET_MS=100

# console_sign_in <base-url> <cookie-jar>: prints the console cookie's value.
console_sign_in() {
    local url=$1 jar=$2 form token
    rm -f "$jar"
    form=$(curl -s -c "$jar" -b "$jar" "$url/console/signin")
    token=$(printf '%s' "$form" | grep -o 'name="__RequestVerificationToken" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
    [ -n "$token" ] || die "the console's sign-in page has no demo form (is the API in Development?)"
    curl -s -o /dev/null -c "$jar" -b "$jar" -X POST "$url/console/signin" \
        --data-urlencode "_handler=demo-signin" --data-urlencode "__RequestVerificationToken=$token" \
        --data-urlencode "ReturnUrl=" --data-urlencode "Email=ops@wedsync.test"
    awk '$6 == "wedsync.console" { print $7 }' "$jar"
}

benchmark_console_render() {
    log "benchmark: console Overview render with $MON_TABLES extra tables"
    section 55-console "Console: Overview render with $MON_TABLES extra tables"
    local port cookie status floor_p95 p95 page_ratio verdict ok_pct
    port=$(free_port_from $((API_PORT + 4)))
    start_dotnet_process api-console "$API_DLL" "$port" "$MONITORING_DB" \
        ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development RateLimiting__PermitsPerMinute=1000000 \
        Auth__SigningKey="$AUTH_SIGNING_KEY" Auth__Issuer="$AUTH_ISSUER" Auth__Audience="$AUTH_AUDIENCE"
    local url="http://127.0.0.1:$port"
    cookie=$(console_sign_in "$url" "$OUT_DIR/logs/console-cookies.txt")
    if [ -z "$cookie" ]; then
        record_result "Console Overview render, $MON_TABLES tables (p95 server time)" "—" "≤ $CONSOLE_TARGET_MS ms" "not measured: console sign-in failed"
        say "- **not measured**: the demo sign-in gave no console cookie (\`bench/out/logs/console-cookies.txt\`)."
        stop_process api-console
        return 0
    fi
    status=$(curl -s -o "$OUT_DIR/logs/console-overview.html" -w '%{http_code}' -H "Cookie: wedsync.console=$cookie" "$url/console")
    if [ "$status" != 200 ] || ! grep -q 'data-testid="health-score"' "$OUT_DIR/logs/console-overview.html"; then
        record_result "Console Overview render, $MON_TABLES tables (p95 server time)" "—" "≤ $CONSOLE_TARGET_MS ms" "not measured: /console answered $status without the health score"
        say "- **not measured**: \`GET /console\` answered $status without the health score (\`bench/out/logs/console-overview.html\`)."
        stop_process api-console
        return 0
    fi

    # The floor first, then the page, each after its own warm-up, at the same concurrency and duration.
    run_wrk console-floor-warmup "$url/api/monitoring/summary" "$READ_CONNECTIONS" "$WARMUP_DURATION" "$OUT_DIR/tokens/platform-admins.txt"
    run_wrk console-floor "$url/api/monitoring/summary" "$READ_CONNECTIONS" "$READ_DURATION" "$OUT_DIR/tokens/platform-admins.txt"
    floor_p95=$(wrk_field .latency_ms.p95)
    local floor_line floor_command
    floor_line=$(wrk_summary_line)
    floor_command=$WRK_COMMAND
    BENCH_HEADER="Cookie: wedsync.console=$cookie" run_wrk console-overview-warmup "$url/console" "$READ_CONNECTIONS" "$WARMUP_DURATION" -
    statement_stats_reset "$MONITORING_DB"
    BENCH_HEADER="Cookie: wedsync.console=$cookie" run_wrk console-overview "$url/console" "$READ_CONNECTIONS" "$READ_DURATION" -
    local top_statements
    top_statements=$(statement_stats_top "$MONITORING_DB" console-overview)
    p95=$(wrk_field .latency_ms.p95)
    ok_pct=$(wrk_success_pct)
    page_ratio=$(ratio "$p95" "$floor_p95")
    verdict=$(verdict_le "$p95" "$CONSOLE_TARGET_MS")
    is_ge "$ok_pct" 99 || verdict="MISS (only $(fmt "$ok_pct" 1) % of responses were 2xx)"
    record_result "Console Overview render, $MON_TABLES tables (p95 server time; × GET /api/monitoring/summary same run)" \
        "$(fmt "$p95" 1) ms (p95; $(fmt "$page_ratio" 2)× the floor's $(fmt "$floor_p95" 1) ms)" "≤ $CONSOLE_TARGET_MS ms" "$verdict"

    say "An API of its own on \`$MONITORING_DB\` in Development (the demo sign-in exists only there), signed in as"
    say "\`ops@wedsync.test\` through the sign-in page's form (antiforgery token and post, as a browser does); wrk sends"
    say "that console cookie. \`/console\` streams its data in (static SSR with streaming rendering), so a request's"
    say "latency runs until the last streamed chunk: the whole render, not the first byte. wrk runs on the same host,"
    say "over loopback: the latency is the server's time plus a loopback round trip. Per-person rate limit lifted"
    say "(\`RateLimiting__PermitsPerMinute\`) for this process: one cookie is one person."
    say ""
    say "- Floor, \`GET /api/monitoring/summary\` on the same process ($(wc -l <"$OUT_DIR/tokens/platform-admins.txt") platform-admin tokens): $floor_line"
    say_code "$floor_command" bash
    say "- \`GET /console\` (Overview): $(wrk_summary_line)"
    say "- p95 page ÷ p95 floor: **$(fmt "$page_ratio" 2)×**."
    say_statement_stats "$top_statements" console-overview
    # The cookie signs a person in: the results show where it goes, never its value.
    say_code "${WRK_COMMAND//$cookie/<console cookie of ops@wedsync.test>}" bash
    stop_process api-console
}
