# Collects figures as the benchmarks run and writes bench/RESULTS.md at the end.
# summary.tsv: one row per target (benchmark, measured, target, verdict); details/*.md: one file
# per section with the commands, raw figures and notes, concatenated in order.

report_dir() { echo "$OUT_DIR/report"; }

reset_report() {
    rm -rf "$(report_dir)"
    mkdir -p "$(report_dir)/details"
    : >"$(report_dir)/summary.tsv"
}

# record_result <benchmark> <measured> <target> <PASS|MISS|not measured: ...>
record_result() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$(report_dir)/summary.tsv"; }

verdict_le() { if is_le "$1" "$2"; then echo PASS; else echo MISS; fi; }
verdict_ge() { if is_ge "$1" "$2"; then echo PASS; else echo MISS; fi; }

CURRENT_SECTION=""
# section <file-name> [title]: later `say` lines go to that section (no heading without a title).
section() {
    CURRENT_SECTION="$(report_dir)/details/$1.md"
    : >"$CURRENT_SECTION"
    [ -z "${2:-}" ] || printf '## %s\n\n' "$2" >"$CURRENT_SECTION"
}
say() { printf '%s\n' "$*" >>"$CURRENT_SECTION"; }
say_file() { cat "$1" >>"$CURRENT_SECTION"; }
say_code() {
    say '```'"${2:-}"
    printf '%s\n' "$1" >>"$CURRENT_SECTION"
    say '```'
    say ""
}

# say_statement_stats <markdown rows> <label>: the top statements of a measured run.
say_statement_stats() {
    say ""
    say "  Top statements by total time during the measured run (pg_stat_statements; all of them in \`bench/out/statements/$2.txt\`):"
    say ""
    say "  | calls | mean ms | total s | statement |"
    say "  |---|---|---|---|"
    printf '%s\n' "$1" | sed 's/^/  /' >>"$CURRENT_SECTION"
    say ""
}

machine_description() {
    local cpu mem os
    cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    os=$(. /etc/os-release && echo "$PRETTY_NAME")
    echo "| | |"
    echo "|---|---|"
    echo "| CPU | ${cpu:-unknown} |"
    echo "| cores (nproc) | $(nproc) |"
    echo "| memory | $mem |"
    echo "| OS | $os, kernel $(uname -r) |"
    echo "| .NET SDK (dotnet --version) | $(cd "$REPO_DIR" && dotnet --version) |"
    echo "| PostgreSQL | $PG_VERSION ($PG_BIN) |"
    echo "| disk of the WAL: one 8 kB fdatasync (pg_test_fsync) | $DISK_FDATASYNC |"
    echo "| wrk / hyperfine | $(wrk --version 2>&1 | head -n 1 | awk '{ print $2 }') / $(hyperfine --version | awk '{ print $2 }') |"
    echo "| load average at start | $LOAD_AT_START |"
}

# Which code was measured: commit and branch, and whether the work tree differed from it.
source_revision() {
    if git -C "$REPO_DIR" rev-parse --git-dir >/dev/null 2>&1; then
        local dirty=""
        git -C "$REPO_DIR" diff --quiet HEAD -- . 2>/dev/null || dirty=", with uncommitted changes"
        echo "commit \`$(git -C "$REPO_DIR" rev-parse --short HEAD)\`$dirty, branch \`$(git -C "$REPO_DIR" rev-parse --abbrev-ref HEAD)\`"
    else
        echo "not a git checkout: $REPO_DIR"
    fi
}

# The header of the results (run, machine) is written once, at the end of a measuring run, so that
# --report-only can assemble the file again later with a revised FINDINGS.md.
write_results_header() {
    {
        echo "# WedSync.Aspire benchmarks (issue 9)"
        echo ""
        echo "Produced by \`$BENCH_COMMAND\` on $(date -u '+%Y-%m-%d %H:%M UTC') ($(source_revision)),"
        echo "size \`$BENCH_SIZE\`, in $(( ($(date +%s) - BENCH_STARTED_AT) / 60 )) min. Every figure below comes from this one run; absolute"
        echo "times drift between runs and machines, so compare the ratios and the verdicts side by side."
        echo ""
        echo "## Machine"
        echo ""
        machine_description
        echo ""
        echo "The machine is shared: other builds and test runs may have been running at the same time"
        echo "(see the load average), so latencies are upper bounds of what this code needs."
        echo ""
    } >"$(report_dir)/header.md"
    echo "$BENCH_SIZE" >"$(report_dir)/size"
}

# assemble_results <file>: header, summary table, the hand-written findings, every section.
assemble_results() {
    local out=$1
    [ -s "$(report_dir)/header.md" ] || die "no measured run in $(report_dir): run bench/run.sh first"
    {
        cat "$(report_dir)/header.md"
        echo "## Summary: measured vs target"
        echo ""
        echo "| benchmark | measured | target | result |"
        echo "|---|---|---|---|"
        while IFS=$'\t' read -r name measured target verdict; do
            case $verdict in
                PASS) verdict="**PASS**" ;;
                MISS*) verdict="**${verdict}**" ;;
            esac
            echo "| $name | $measured | $target | $verdict |"
        done <"$(report_dir)/summary.tsv"
        echo ""
        if [ -f "$BENCH_DIR/FINDINGS.md" ]; then
            cat "$BENCH_DIR/FINDINGS.md"
            echo ""
        fi
        for detail in "$(report_dir)"/details/*.md; do
            cat "$detail"
            echo ""
        done
    } >"$out"
    log "wrote $out"
}
