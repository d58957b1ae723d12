#!/usr/bin/env bash
# The tenant SELECT path with the referral tables' policies split (before issue 15) and consolidated
# into one permissive policy per role and command (after, 20250901200002), on one database and one
# data set, in alternating rounds so that the shared machine's drift hits both layouts alike.
# Writes bench/out/policies/RESULTS.md; bench/RESULTS.md quotes a run of it.
#
#   bench/policies.sh [referrals] [rounds] [seconds]     defaults: 200000 referrals, 3 rounds of 10 s
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
OUT_DIR=$BENCH_DIR/out/policies
for lib in common postgres; do
    # shellcheck source=/dev/null
    source "$BENCH_DIR/lib/$lib.sh"
done

REFERRALS=${1:-200000}
ROUNDS=${2:-3}
SECONDS_PER_RUN=${3:-10}
ORGS=100
USERS_PER_ORG=20
DB=wedsync_policies
CONSOLIDATE=$REPO_DIR/Migrations/Scripts/20250901200002_ws170_one_permissive_policy_per_action.sql

mkdir -p "$OUT_DIR"
PG_PORT=$(free_port_from "${BENCH_PG_PORT:-55600}")
trap stop_postgres EXIT
start_postgres

log "migrate $DB and load $REFERRALS referrals"
(cd "$REPO_DIR" && dotnet build Migrations -c Release -v q -nologo >"$OUT_DIR/build.log" 2>&1) || { tail -n 20 "$OUT_DIR/build.log" >&2; die "build failed"; }
recreate_database "$DB"
(cd "$REPO_DIR" && ConnectionStrings__wedsync=$(npgsql_connection_string "$DB") dotnet Migrations/bin/Release/net10.0/WedSync.Migrations.dll up) \
    >"$OUT_DIR/migrate.log" 2>&1 || { tail -n 20 "$OUT_DIR/migrate.log" >&2; die "migration failed"; }
psql_db "$DB" -v orgs="$ORGS" -v users_per_org="$USERS_PER_ORG" -v load_users_per_org=1 -v referrals="$REFERRALS" \
    -f "$BENCH_DIR/data/referrals.sql" >"$OUT_DIR/data.log" 2>&1 || { tail -n 20 "$OUT_DIR/data.log" >&2; die "data failed"; }

use_layout() {
    case $1 in
        split) psql_db "$DB" --single-transaction -f "$BENCH_DIR/sql/policies_split.sql" >/dev/null ;;
        consolidated) psql_db "$DB" --single-transaction -f "$CONSOLIDATE" >/dev/null ;;
    esac
    # Both layouts must answer the same: what a few tenants see of each table.
    local o
    for o in 1 2 3; do
        psql_db "$DB" -At -c "BEGIN" -c "SET LOCAL ROLE wedsync_user" \
            -c "SELECT set_config('request.jwt.claims', json_build_object('sub', md5('bench-user-$o-2')::uuid, 'roles', json_build_array())::text, true)" \
            -c "SELECT concat_ws('/', (SELECT count(*) FROM referrals), (SELECT count(*) FROM referral_codes), (SELECT count(*) FROM referral_rewards), (SELECT count(*) FROM referral_conversions))" \
            -c "COMMIT" | grep -E '^[0-9]+/'
    done | paste -sd ' '
}

run_layout() {
    local layout=$1 round=$2 dir=$OUT_DIR/pgbench
    mkdir -p "$dir"
    rm -f "$dir/$layout-$round".*
    (cd "$dir" && PGPASSWORD=$PG_PASSWORD "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -c 1 -T "$SECONDS_PER_RUN" -r \
        -D orgs="$ORGS" -D users="$USERS_PER_ORG" -f "$BENCH_DIR/sql/tenant_select.pgbench" -l --log-prefix="$layout-$round" "$DB") \
        >"$dir/$layout-$round.out" 2>&1 || { cat "$dir/$layout-$round.out" >&2; die "pgbench failed"; }
}

# p50/p95 (ms) and transactions of every round of one layout together.
percentiles() {
    cat "$OUT_DIR/pgbench/$1"-*.* | awk '{ print $3 / 1000 }' | sort -n \
        | awk '{ v[NR] = $1 } END { printf "%d %.3f %.3f\n", NR, v[int(NR * 0.50) + 1], v[int(NR * 0.95) + 1] }'
}

log "$ROUNDS rounds of ${SECONDS_PER_RUN}s per layout"
declare -A seen
for round in $(seq 1 "$ROUNDS"); do
    for layout in split consolidated; do
        seen[$layout]=$(use_layout "$layout")
        psql_value "$DB" "VACUUM ANALYZE referrals, referral_codes, referral_rewards, referral_conversions" >/dev/null
        run_layout "$layout" "$round"
    done
done
[ "${seen[split]}" = "${seen[consolidated]}" ] || die "the layouts disagree on what tenants see: ${seen[split]} vs ${seen[consolidated]}"

explain() {
    use_layout "$1" >/dev/null
    psql_db "$DB" -c "BEGIN" -c "SET LOCAL ROLE wedsync_user" \
        -c "SELECT set_config('request.jwt.claims', json_build_object('sub', md5('bench-user-1-2')::uuid, 'roles', json_build_array())::text, true)" \
        -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, status FROM referrals ORDER BY created_at DESC LIMIT 20" \
        -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT r.id, r.status, r.created_at, c.code FROM referrals r JOIN referral_codes c ON c.id = r.referral_code_id
            WHERE r.organization_id = (SELECT app.current_organization_id()) AND r.referrer_user_id = (SELECT app.current_user_id())
            ORDER BY r.created_at DESC, r.id LIMIT 20" -c "COMMIT"
}
explain split >"$OUT_DIR/explain-split.txt"
explain consolidated >"$OUT_DIR/explain-consolidated.txt"

# Mean latency per statement (pgbench -r) over the rounds of one layout: "ms statement" lines.
statement_means() {
    awk '/^ +[0-9.]+ +[0-9]+ +(SELECT|BEGIN|SET|COMMIT)/ { ms[$3 " " $4 " " $5 " " $6] += $1; n[$3 " " $4 " " $5 " " $6]++ }
         END { for (k in ms) printf "%.3f %s\n", ms[k] / n[k], k }' "$OUT_DIR/pgbench/$1"-*.out | sort -k2
}

read -r split_n split_p50 split_p95 <<<"$(percentiles split)"
read -r cons_n cons_p50 cons_p95 <<<"$(percentiles consolidated)"
{
    echo "## Tenant SELECT path: policies split vs consolidated (bench/policies.sh $REFERRALS $ROUNDS $SECONDS_PER_RUN)"
    echo ""
    echo "$REFERRALS referrals over $ORGS organizations, PostgreSQL $(pg_server_version), one pgbench client, $ROUNDS alternating rounds of ${SECONDS_PER_RUN} s per layout;"
    echo "a transaction = \`bench/sql/tenant_select.pgbench\` (list page, stats counts, reward sums, RLS-only latest 20) as \`wedsync_user\` with a random referrer's claims."
    echo "Both layouts showed tenants the same rows (${seen[split]})."
    echo ""
    echo "| layout | transactions | p50 ms | p95 ms | tx/s |"
    echo "|---|---|---|---|---|"
    echo "| split (before: service + tenant policies) | $split_n | $split_p50 | $split_p95 | $(fmt "$(awk -v n="$split_n" -v r="$ROUNDS" -v s="$SECONDS_PER_RUN" 'BEGIN { print n / r / s }')" 1) |"
    echo "| consolidated (after: one policy per command) | $cons_n | $cons_p50 | $cons_p95 | $(fmt "$(awk -v n="$cons_n" -v r="$ROUNDS" -v s="$SECONDS_PER_RUN" 'BEGIN { print n / r / s }')" 1) |"
    echo "| **after ÷ before** | $(ratio "$cons_n" "$split_n") | $(ratio "$cons_p50" "$split_p50") | $(ratio "$cons_p95" "$split_p95") | |"
    echo ""
    echo "Mean ms per statement (pgbench -r over the rounds; the statement's first words):"
    echo ""
    echo '```'
    echo "split:"
    statement_means split
    echo "consolidated:"
    statement_means consolidated
    echo '```'
    echo ""
    echo "Plans: \`bench/out/policies/explain-split.txt\`, \`explain-consolidated.txt\`."
} | tee "$OUT_DIR/RESULTS.md"
